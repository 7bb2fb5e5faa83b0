/**
 * Test support (not part of the published package): seeded host data and plain-loop references for
 * every primitive, written from the contract with no tfjs involved.
 */

/** A tensor on the host: row-major data and its shape. */
export interface Host {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** A seeded uniform generator on [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A host tensor with values uniform in [lo, hi); `awayFromZero` keeps |x| ≥ that margin. */
export function uniform(
  random: () => number,
  shape: readonly number[],
  lo = -1,
  hi = 1,
  awayFromZero = 0,
): Host {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    let v = lo + (hi - lo) * random();
    if (Math.abs(v) < awayFromZero) v = v < 0 ? v - awayFromZero : v + awayFromZero;
    data[i] = v;
  }
  return { data, shape };
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Multi-index of flat position `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

const at = (x: Host, idx: readonly number[]): number => {
  const st = stridesOf(x.shape);
  return x.data[idx.reduce((acc, v, i) => acc + v * st[i], 0)];
};

/** `op(a)·op(b)` for 2-D hosts. */
export function matMulRef(a: Host, b: Host, ta: boolean, tb: boolean): Host {
  const [m, k] = ta ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const n = tb ? b.shape[0] : b.shape[1];
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(a, ta ? [p, i] : [i, p]) * at(b, tb ? [j, p] : [p, j]);
      out[i * n + j] = s;
    }
  }
  return { data: out, shape: [m, n] };
}

/** Elementwise `f(a, b)` with NumPy broadcasting. */
export function broadcastRef(a: Host, b: Host, f: (x: number, y: number) => number): Host {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const shape = sa.map((d, i) => Math.max(d, sb[i]));
  const out = new Float32Array(sizeOf(shape));
  const pa = { data: a.data, shape: sa };
  const pb = { data: b.data, shape: sb };
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = f(
      at(
        pa,
        idx.map((v, d) => (sa[d] === 1 ? 0 : v)),
      ),
      at(
        pb,
        idx.map((v, d) => (sb[d] === 1 ? 0 : v)),
      ),
    );
  }
  return { data: out, shape };
}

export function mapRef(x: Host, f: (v: number) => number): Host {
  return { data: x.data.map(f), shape: x.shape };
}

/** Reduces `axes` with `combine` from `init`. */
export function reduceRef(
  x: Host,
  axes: readonly number[],
  keepDims: boolean,
  init: number,
  combine: (acc: number, v: number) => number,
): Host {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float32Array(sizeOf(kept)).fill(init);
  const st = stridesOf(kept);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (axes.includes(d) ? 0 : v));
    const o = idx.reduce((acc, v, d) => acc + v * st[d], 0);
    out[o] = combine(out[o], x.data[i]);
  }
  return { data: out, shape: keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i)) };
}

export function logSoftmaxRef(x: Host): Host {
  const n = x.shape[x.shape.length - 1];
  const out = new Float32Array(x.data.length);
  for (let r = 0; r < x.data.length / n; r++) {
    const row = Array.from(x.data.subarray(r * n, (r + 1) * n));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    row.forEach((v, j) => {
      out[r * n + j] = v - lse;
    });
  }
  return { data: out, shape: x.shape };
}

export function transposeRef(x: Host, perm: readonly number[]): Host {
  const shape = perm.map((p) => x.shape[p]);
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array<number>(perm.length);
    perm.forEach((p, d) => {
      src[p] = idx[d];
    });
    out[i] = at(x, src);
  }
  return { data: out, shape };
}

export function sliceRef(x: Host, begin: readonly number[], size: readonly number[]): Host {
  const out = new Float32Array(sizeOf(size));
  for (let i = 0; i < out.length; i++)
    out[i] = at(
      x,
      unravel(i, size).map((v, d) => v + begin[d]),
    );
  return { data: out, shape: size };
}

export function concatRef(xs: readonly Host[], axis: number): Host {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    let k = 0;
    while (idx[axis] >= xs[k].shape[axis]) idx[axis] -= xs[k++].shape[axis];
    out[i] = at(xs[k], idx);
  }
  return { data: out, shape };
}

export function gatherRef(x: Host, indices: Int32Array): Host {
  const width = sizeOf(x.shape.slice(1));
  const out = new Float32Array(indices.length * width);
  indices.forEach((r, k) => {
    out.set(x.data.subarray(r * width, (r + 1) * width), k * width);
  });
  return { data: out, shape: [indices.length, ...x.shape.slice(1)] };
}
