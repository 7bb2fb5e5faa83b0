import { describe, expect, it } from 'vitest';
import { assembleModule, F32, FunctionBuilder, I32, Op, sleb, uleb } from './assembler.js';

describe('wasm assembler', () => {
  it('encodes LEB128 like the spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([127]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb(0)).toEqual([0]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([63]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it('assembles a module that validates, imports memory and runs', () => {
    // sum(n, ptr): Σ of n float32 at ptr, with a count-down loop and locals.
    const fn = new FunctionBuilder('sum', [I32, I32], [F32]);
    const acc = fn.local(F32);
    const i = fn.local(I32);
    const c = fn.code;
    c.countDown(i, 0, 1, () => {
      c.get(acc).get(1).mem(Op.f32_load, 0, 2).op(Op.f32_add).set(acc);
      c.addTo(1, 4);
    });
    c.get(acc);
    const bytes = assembleModule([fn], { initial: 1, shared: false });
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { sum } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as {
      sum: (n: number, ptr: number) => number;
    };
    new Float32Array(memory.buffer).set([1, 2, 3, 4.5], 4);
    expect(sum(4, 16)).toBe(10.5);
    expect(sum(0, 16)).toBe(0);
  });

  it('names every function in a "name" section, so profiles show kernel names', () => {
    const a = new FunctionBuilder('first', []);
    const b = new FunctionBuilder('lstmForward', []);
    const module = new WebAssembly.Module(assembleModule([a, b], { initial: 1, shared: false }));
    const [section] = WebAssembly.Module.customSections(module, 'name');
    // Subsection 1 (function names): count 2, then (index, length-prefixed UTF-8 name) pairs.
    const text = new TextDecoder().decode(new Uint8Array(section!));
    expect(new Uint8Array(section!)[0]).toBe(1);
    expect(text).toContain('\u0005first');
    expect(text).toContain('\u000blstmForward');
  });

  it('declares shared memory with a maximum when asked', () => {
    const fn = new FunctionBuilder('noop', []);
    const bytes = assembleModule([fn], { initial: 1, maximum: 16, shared: true });
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })).not.toThrow();
  });
});
