/**
 * A tiny WebAssembly assembler: just enough of the binary format to emit our kernels at run time.
 *
 * Why emit bytes instead of shipping a `.wasm` file: the package stays source-only TypeScript (no
 * binary artefact, no build step), and the kernels can be specialised while emitting (tile shape,
 * relaxed FMA or mul+add, shared or private memory). The whole module is a few KB and takes a few
 * milliseconds to emit and compile.
 *
 * The module shape is fixed: one imported memory (`env.memory`), a list of functions, all exported
 * by name. Code is written with {@link Code}, whose methods are named after the instructions they
 * append, so a kernel reads top to bottom like the `.wat` it corresponds to.
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
/** A value type byte. */
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Single-byte opcodes used by our kernels (names as in the spec, `.` → `_`). */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  i64_load: 0x29,
  f32_load: 0x2a,
  f64_load: 0x2b,
  i32_store: 0x36,
  i64_store: 0x37,
  f32_store: 0x38,
  f64_store: 0x39,
  i32_const: 0x41,
  f32_const: 0x43,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_le_s: 0x4c,
  i32_ge_s: 0x4e,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_u: 0x6e,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  f32_add: 0x92,
  f32_sub: 0x93,
  f32_mul: 0x94,
  f64_add: 0xa0,
  f64_promote_f32: 0xbb,
  f32_demote_f64: 0xb6,
  f64_const: 0x44,
} as const;

/** SIMD opcodes (prefix 0xfd, LEB128-encoded sub-opcode). */
export const SimdOp = {
  v128_load: 0x00,
  v128_load32_splat: 0x09,
  v128_store: 0x0b,
  v128_const: 0x0c,
  f32x4_splat: 0x13,
  f32x4_extract_lane: 0x1f,
  f32x4_gt: 0x44,
  f32x4_lt: 0x43,
  v128_and: 0x4e,
  v128_andnot: 0x4f,
  v128_or: 0x50,
  v128_xor: 0x51,
  v128_bitselect: 0x52,
  v128_store32_lane: 0x5a,
  v128_load32_zero: 0x5c,
  v128_load64_zero: 0x5d,
  f64x2_promote_low_f32x4: 0x5f,
  f32x4_nearest: 0x6a,
  i32x4_shl: 0xab,
  i32x4_add: 0xae,
  f32x4_abs: 0xe0,
  f32x4_neg: 0xe1,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f32x4_div: 0xe7,
  f32x4_min: 0xe8,
  f32x4_max: 0xe9,
  f32x4_pmin: 0xea,
  f32x4_pmax: 0xeb,
  f64x2_add: 0xf0,
  i32x4_trunc_sat_f32x4_s: 0xf8,
  /** Relaxed SIMD: `a·b + c`, fused where the hardware can (one rounding), else mul then add. */
  f32x4_relaxed_madd: 0x105,
} as const;

/** Unsigned LEB128, the encoding of every index, count and size in the format. */
export function uleb(value: number): number[] {
  const out = new ByteBuffer();
  out.uleb(value);
  return Array.from(out.finish());
}

/** Signed LEB128, the encoding of `i32.const` immediates. */
export function sleb(value: number): number[] {
  const out = new ByteBuffer();
  out.sleb(value);
  return Array.from(out.finish());
}

/** A growable byte array with the format's primitive encodings (no intermediate arrays). */
export class ByteBuffer {
  #bytes = new Uint8Array(256);
  #length = 0;
  static readonly #scratch = new DataView(new ArrayBuffer(4));

  get length(): number {
    return this.#length;
  }
  byte(b: number): void {
    if (this.#length === this.#bytes.length) {
      const grown = new Uint8Array(2 * this.#bytes.length);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes[this.#length++] = b;
  }
  uleb(value: number): void {
    do {
      let b = value & 0x7f;
      value >>>= 7;
      if (value !== 0) b |= 0x80;
      this.byte(b);
    } while (value !== 0);
  }
  sleb(value: number): void {
    value |= 0;
    for (;;) {
      const b = value & 0x7f;
      value >>= 7;
      const done = (value === 0 && (b & 0x40) === 0) || (value === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return;
    }
  }
  /** A little-endian float32. */
  f32(value: number): void {
    ByteBuffer.#scratch.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.byte(ByteBuffer.#scratch.getUint8(i));
  }
  /** Appends another buffer's bytes. */
  append(other: ByteBuffer): void {
    const bytes = other.finish();
    for (let i = 0; i < bytes.length; i++) this.byte(bytes[i]);
  }
  /** Appends `other` prefixed with its length: how sections, bodies and names are encoded. */
  sized(other: ByteBuffer): void {
    this.uleb(other.length);
    this.append(other);
  }
  /** The bytes written so far (a view, valid until the next write). */
  finish(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }
}

/** Block type `[]` for block/loop/if without results. */
const EMPTY_BLOCK = 0x40;

/**
 * The instruction stream of one function body. Methods append one instruction each and return
 * `this`, so straight-line code chains; loops and blocks take a callback for their body.
 */
export class Code {
  readonly bytes = new ByteBuffer();

  /** Appends raw bytes (an opcode from {@link Op} plus its immediates). */
  op(...bytes: number[]): this {
    for (const b of bytes) this.bytes.byte(b);
    return this;
  }
  get(local: number): this {
    this.bytes.byte(Op.local_get);
    this.bytes.uleb(local);
    return this;
  }
  set(local: number): this {
    this.bytes.byte(Op.local_set);
    this.bytes.uleb(local);
    return this;
  }
  tee(local: number): this {
    this.bytes.byte(Op.local_tee);
    this.bytes.uleb(local);
    return this;
  }
  i32(value: number): this {
    this.bytes.byte(Op.i32_const);
    this.bytes.sleb(value);
    return this;
  }
  f32(value: number): this {
    this.bytes.byte(Op.f32_const);
    this.bytes.f32(value);
    return this;
  }
  call(fn: number): this {
    this.bytes.byte(Op.call);
    this.bytes.uleb(fn);
    return this;
  }
  /** `local += delta` for an i32 local. */
  addTo(local: number, delta: number): this {
    if (delta === 0) return this;
    return this.get(local).i32(delta).op(Op.i32_add).set(local);
  }
  /** `local += other` for i32 locals. */
  addLocal(local: number, other: number): this {
    return this.get(local).get(other).op(Op.i32_add).set(local);
  }
  /** A scalar load/store with its memarg (`align` as log2 bytes, `offset` in bytes). */
  mem(op: number, offset: number, align: number): this {
    this.bytes.byte(op);
    return this.#memarg(offset, align);
  }

  /** A SIMD instruction without immediates. */
  simd(op: number): this {
    this.bytes.byte(0xfd);
    this.bytes.uleb(op);
    return this;
  }
  /** A memory immediate: alignment hint (log2 bytes), then offset in bytes. */
  #memarg(offset: number, align: number): this {
    this.bytes.uleb(align);
    this.bytes.uleb(offset);
    return this;
  }
  /** `v128.load offset` from the address on the stack (alignment hint 1 byte: operands are unaligned). */
  v128Load(offset = 0): this {
    return this.simd(SimdOp.v128_load).#memarg(offset, 0);
  }
  /** `v128.store offset`: stack is address, value. */
  v128Store(offset = 0): this {
    return this.simd(SimdOp.v128_store).#memarg(offset, 0);
  }
  /** Broadcast one float32 from memory into all four lanes. */
  loadSplat(offset = 0): this {
    return this.simd(SimdOp.v128_load32_splat).#memarg(offset, 2);
  }
  /** Load one float32 into lane 0, zeroing the others (the 1-wide twin of {@link Code.v128Load}). */
  load32Zero(offset = 0): this {
    return this.simd(SimdOp.v128_load32_zero).#memarg(offset, 2);
  }
  /** Store lane 0 only (the 1-wide twin of {@link Code.v128Store}). */
  store32Lane0(offset = 0): this {
    return this.simd(SimdOp.v128_store32_lane).#memarg(offset, 2).op(0);
  }
  /** A `v128.const` with four equal float32 lanes. */
  f32x4(value: number): this {
    this.simd(SimdOp.v128_const);
    for (let lane = 0; lane < 4; lane++) this.bytes.f32(value);
    return this;
  }
  /** A `v128.const` with four equal int32 lanes. */
  i32x4(value: number): this {
    this.simd(SimdOp.v128_const);
    for (let lane = 0; lane < 4; lane++) {
      for (let i = 0; i < 4; i++) this.bytes.byte((value >>> (8 * i)) & 0xff);
    }
    return this;
  }

  /** `block … end`; inside, `br 0` jumps past the end. */
  block(body: () => void): this {
    this.op(Op.block, EMPTY_BLOCK);
    body();
    return this.op(Op.end);
  }
  /** `loop … end`; inside, `br 0` jumps back to the start. */
  loop(body: () => void): this {
    this.op(Op.loop, EMPTY_BLOCK);
    body();
    return this.op(Op.end);
  }
  /** `if … (else …) end` on the i32 on the stack. */
  if(then: () => void, otherwise?: () => void): this {
    this.op(Op.if, EMPTY_BLOCK);
    then();
    if (otherwise !== undefined) {
      this.op(Op.else);
      otherwise();
    }
    return this.op(Op.end);
  }
  brIf(depth: number): this {
    this.bytes.byte(Op.br_if);
    this.bytes.uleb(depth);
    return this;
  }
  br(depth: number): this {
    this.bytes.byte(Op.br);
    this.bytes.uleb(depth);
    return this;
  }

  /**
   * `for (counter = count; counter > 0; counter -= step)`, skipped when `count ≤ 0` on entry:
   * the canonical count-down loop of our kernels. `count` is a local read once.
   */
  countDown(counter: number, count: number, step: number, body: () => void): this {
    this.get(count).set(counter);
    return this.block(() => {
      this.get(counter).i32(step).op(Op.i32_lt_s).brIf(0);
      this.loop(() => {
        body();
        this.get(counter).i32(step).op(Op.i32_sub).tee(counter).i32(step).op(Op.i32_ge_s).brIf(0);
      });
    });
  }
}

/** One function of a module: signature, locals, body. */
export class FunctionBuilder {
  readonly code = new Code();
  readonly #params: ValType[];
  readonly #locals: ValType[] = [];
  readonly #results: ValType[];

  constructor(
    readonly name: string,
    params: readonly ValType[],
    results: readonly ValType[] = [],
  ) {
    this.#params = params.slice();
    this.#results = results.slice();
  }

  /** Index of parameter `i` (parameters come first in the local index space). */
  param(i: number): number {
    return i;
  }

  /** Declares a new local of `type` and returns its index. */
  local(type: ValType): number {
    this.#locals.push(type);
    return this.#params.length + this.#locals.length - 1;
  }

  /** Writes `(params) → (results)` as a type-section entry. */
  writeType(out: ByteBuffer): void {
    out.byte(0x60);
    out.uleb(this.#params.length);
    for (const t of this.#params) out.byte(t);
    out.uleb(this.#results.length);
    for (const t of this.#results) out.byte(t);
  }

  /** Writes the code-section entry: size, local declarations (run-length by type), body, `end`. */
  writeBody(out: ByteBuffer): void {
    const runs: [number, ValType][] = [];
    for (const type of this.#locals) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    const body = new ByteBuffer();
    body.uleb(runs.length);
    for (const [count, type] of runs) {
      body.uleb(count);
      body.byte(type);
    }
    body.append(this.code.bytes);
    body.byte(Op.end);
    out.sized(body);
  }
}

/** How the module imports its memory. */
export interface MemoryImport {
  /** Initial size in 64 KiB pages. */
  readonly initial: number;
  /** Maximum pages (required for shared memory). */
  readonly maximum?: number;
  /** A `SharedArrayBuffer`-backed memory that worker threads can also use. */
  readonly shared: boolean;
}

/**
 * Assembles a module importing `env.memory` and exporting every function under its name.
 * Functions are indexed in the order given (use these indices with {@link Code.call}).
 */
export function assembleModule(
  functions: readonly FunctionBuilder[],
  memory: MemoryImport,
): Uint8Array<ArrayBuffer> {
  const out = new ByteBuffer();
  for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.byte(b); // "\0asm", version 1
  const section = (id: number, write: (content: ByteBuffer) => void) => {
    const content = new ByteBuffer();
    write(content);
    out.byte(id);
    out.sized(content);
  };
  const name = (to: ByteBuffer, text: string) => {
    const utf8 = new TextEncoder().encode(text);
    to.uleb(utf8.length);
    for (const b of utf8) to.byte(b);
  };
  section(1, (types) => {
    types.uleb(functions.length);
    for (const f of functions) f.writeType(types);
  });
  section(2, (imports) => {
    imports.uleb(1);
    name(imports, 'env');
    name(imports, 'memory');
    imports.byte(0x02); // memory import
    if (memory.maximum === undefined) {
      imports.byte(0x00);
      imports.uleb(memory.initial);
    } else {
      imports.byte(memory.shared ? 0x03 : 0x01);
      imports.uleb(memory.initial);
      imports.uleb(memory.maximum);
    }
  });
  section(3, (declarations) => {
    declarations.uleb(functions.length);
    for (let i = 0; i < functions.length; i++) declarations.uleb(i); // function i has type i
  });
  section(7, (exports) => {
    exports.uleb(functions.length);
    functions.forEach((f, i) => {
      name(exports, f.name);
      exports.byte(0x00); // function export
      exports.uleb(i);
    });
  });
  section(10, (code) => {
    code.uleb(functions.length);
    for (const f of functions) f.writeBody(code);
  });
  // The "name" custom section: profilers (`node --cpu-prof`, DevTools) then show `macro`, `lstmForward`
  // … instead of `wasm-function[7]`; engines ignore it when running.
  section(0, (custom) => {
    name(custom, 'name');
    const functionNames = new ByteBuffer();
    functionNames.uleb(functions.length);
    functions.forEach((f, i) => {
      functionNames.uleb(i);
      name(functionNames, f.name);
    });
    custom.byte(1); // subsection 1: function names
    custom.sized(functionNames);
  });
  return out.finish().slice();
}
