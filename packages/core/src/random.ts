/**
 * Seeded random numbers owned by the frontend, so every backend starts from identical weights and
 * draws identical dropout masks. xoshiro128** seeded through splitmix32: small, fast, well tested.
 */

/** The algorithm tag of {@link GeneratorState}. */
const ALGORITHM = 'xoshiro128**';

/**
 * A generator's complete state as a small JSON-able value (PyTorch's `get_state()`): the four 32-bit
 * words of xoshiro128** and the second Box–Muller value {@link Generator.normal} holds back, so a
 * generator given it with {@link Generator.setState} draws exactly the numbers the original would have.
 */
export interface GeneratorState {
  /** Always `xoshiro128**`: the algorithm the words belong to. */
  readonly algorithm: 'xoshiro128**';
  /** The four state words, each an integer in [0, 2³²), not all zero. */
  readonly state: readonly [number, number, number, number];
  /** The normal sample the next `normal()` returns without drawing, or null. */
  readonly spareNormal: number | null;
}

/** A seeded pseudo-random generator (like `torch.Generator`). */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | undefined;

  /** A generator seeded with `seed` (any safe integer). */
  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the state from `seed`. */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed))
      throw new RangeError(`Generator.manualSeed: seed must be a safe integer, got ${seed}`);
    // splitmix32 over both 32-bit halves spreads nearby seeds over the whole state space.
    let x = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = undefined;
    return this;
  }

  /**
   * The complete state as a fresh JSON-able value (PyTorch's `get_state()`); give it to
   * {@link Generator.setState} (of this or another generator) to draw the same numbers from here on.
   */
  getState(): GeneratorState {
    return {
      algorithm: ALGORITHM,
      state: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spareNormal: this.spareNormal ?? null,
    };
  }

  /**
   * Restores a state from {@link Generator.getState} (PyTorch's `set_state()`). The value is checked
   * first: anything but `{ algorithm: 'xoshiro128**', state: four integers in [0, 2³²) not all zero,
   * spareNormal: a finite number or null }` throws a TypeError or RangeError naming the field, and the
   * generator is unchanged.
   */
  setState(state: GeneratorState): this {
    const checked = checkGeneratorState('Generator.setState', state);
    [this.s0, this.s1, this.s2, this.s3] = checked.state;
    this.spareNormal = checked.spareNormal ?? undefined;
    return this;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/**
 * Throws unless `value` is a valid {@link GeneratorState} (see {@link Generator.setState}); returns a
 * copy of it. `where` prefixes the error.
 */
export function checkGeneratorState(where: string, value: unknown): GeneratorState {
  const show = (v: unknown): string => {
    try {
      const text = JSON.stringify(v);
      return text === undefined ? String(v) : text.length > 80 ? `${text.slice(0, 80)}…` : text;
    } catch {
      return typeof v;
    }
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(
      `${where}: state must be an object from generator.getState() ({ algorithm, state, spareNormal }), got ${show(value)}`,
    );
  }
  const { algorithm, state, spareNormal } = value as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (key !== 'algorithm' && key !== 'state' && key !== 'spareNormal') {
      throw new RangeError(`${where}: unexpected key "${key}" (expected algorithm, state, spareNormal)`);
    }
  }
  if (algorithm !== ALGORITHM) {
    throw new RangeError(`${where}: state.algorithm must be "${ALGORITHM}", got ${show(algorithm)}`);
  }
  if (
    !Array.isArray(state) ||
    state.length !== 4 ||
    !state.every((w) => Number.isSafeInteger(w) && w >= 0 && w < 2 ** 32)
  ) {
    throw new RangeError(
      `${where}: state.state must be an array of 4 integers in [0, 2^32), got ${show(state)}`,
    );
  }
  if (state.every((w) => w === 0)) {
    throw new RangeError(`${where}: state.state must not be all zero (xoshiro128** would draw only zeros)`);
  }
  if (spareNormal !== null && (typeof spareNormal !== 'number' || !Number.isFinite(spareNormal))) {
    throw new RangeError(
      `${where}: state.spareNormal must be a finite number or null, got ${show(spareNormal)}`,
    );
  }
  return {
    algorithm: ALGORITHM,
    state: [state[0], state[1], state[2], state[3]] as [number, number, number, number],
    spareNormal: spareNormal as number | null,
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const globalGenerator = new Generator(0);

/** The process-wide generator used when a module or function is given none. */
export function defaultGenerator(): Generator {
  return globalGenerator;
}

/** Seeds the process-wide generator (like `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  globalGenerator.manualSeed(seed);
}
