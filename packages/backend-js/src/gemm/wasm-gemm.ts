/**
 * The SIMD tier of {@link GemmTier}: float32 products run in the WebAssembly kernels, float64 ones in
 * the plain-JS tier (the kernels are f32x4 only; float64 is the precision reference, where speed
 * matters less than exactness).
 *
 * Operands arrive as typed arrays, so each product copies A and B into wasm memory and C back out:
 * `O(mk + kn + mn)` memcpy-speed work next to `O(mnk)` arithmetic. The fused sequence kernels avoid
 * even that by keeping their buffers in wasm memory (see `fused/wasm/`).
 */

import type { GemmTier, PackedMatrix } from '@recur/gemm';
import { NR } from '../wasm/panel-layout.js';
import type { WasmRuntime } from '../wasm/runtime.js';

/** `createWasmGemm`'s packed matrices: the wasm panel layout, held in an ordinary `Float32Array`. */
interface WasmPacked extends PackedMatrix {
  readonly data: Float32Array;
  /** Marks the layout, so a matrix packed by the plain tier is never read as panels. */
  readonly layout: 'wasm-panels';
}

function isWasmPacked(b: PackedMatrix): b is WasmPacked {
  return (b as Partial<WasmPacked>).layout === 'wasm-panels';
}

/** A tier running float32 products in `rt`'s kernels and everything else in `fallback`. */
export function createWasmGemm(rt: WasmRuntime, fallback: GemmTier): GemmTier {
  const { heap } = rt;
  return {
    name: 'wasm-simd',
    gemm(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate) {
      if (!(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array)) {
        fallback.gemm(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, accumulate);
        return;
      }
      if (m === 0 || n === 0) return;
      const pa = heap.allocF32(m * k);
      const pb = heap.allocF32(k * n);
      const pc = heap.allocF32(m * n);
      try {
        heap.write(pa, a.subarray(aOff, aOff + m * k));
        heap.write(pb, b.subarray(bOff, bOff + k * n));
        if (accumulate) heap.write(pc, c.subarray(cOff, cOff + m * n));
        rt.gemm.gemm(m, n, k, pa, transA, pb, transB, pc, accumulate);
        c.set(heap.view(pc, m * n), cOff);
      } finally {
        heap.free(pa);
        heap.free(pb);
        heap.free(pc);
      }
    },
    pack(b, bOff, transB, k, n) {
      if (!(b instanceof Float32Array)) return fallback.pack(b, bOff, transB, k, n);
      const src = heap.allocF32(k * n);
      try {
        heap.write(src, b.subarray(bOff, bOff + k * n));
        const panels = rt.gemm.pack(src, transB, k, n);
        const data = heap.read(panels.ptr, panels.count * NR * k);
        rt.gemm.free(panels);
        const packed: WasmPacked = { k, n, data, layout: 'wasm-panels' };
        return packed;
      } finally {
        heap.free(src);
      }
    },
    gemmPacked(m, a, aOff, transA, b, c, cOff, accumulate) {
      if (!isWasmPacked(b)) {
        fallback.gemmPacked(m, a, aOff, transA, b, c, cOff, accumulate);
        return;
      }
      if (!(a instanceof Float32Array) || !(c instanceof Float32Array)) {
        throw new Error('wasm-simd gemmPacked: float32 panels used with float64 operands');
      }
      const { k, n } = b;
      if (m === 0 || n === 0) return;
      const count = Math.ceil(n / NR);
      const pp = heap.allocF32(b.data.length);
      const pa = heap.allocF32(m * k);
      const pc = heap.allocF32(m * n);
      try {
        heap.write(pp, b.data);
        heap.write(pa, a.subarray(aOff, aOff + m * k));
        if (accumulate) heap.write(pc, c.subarray(cOff, cOff + m * n));
        rt.gemm.gemmPacked(m, pa, transA, { ptr: pp, k, n, count, stride: k * NR * 4 }, pc, accumulate);
        c.set(heap.view(pc, m * n), cOff);
      } finally {
        heap.free(pp);
        heap.free(pa);
        heap.free(pc);
      }
    },
  };
}
