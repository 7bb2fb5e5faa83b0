import { describe, expect, it } from 'vitest';
import { detectFlavour, RELAXED_FLAVOUR } from './module.js';
import { WasmRuntime } from './runtime.js';

detectFlavour();

describe('copyRows', () => {
  const rt = new WasmRuntime(RELAXED_FLAVOUR, 1);
  const { heap, kernels } = rt;

  for (const width of [1, 3, 4, 5, 8, 13]) {
    for (const broadcast of [false, true]) {
      it(`copies rows of ${width} floats between strides${broadcast ? ' (one source row to all)' : ''}, touching nothing else`, () => {
        const rows = 5;
        const [srcStride, dstStride] = [broadcast ? 0 : width + 3, 2 * width + 1]; // in floats
        const src = heap.allocF32(rows * (width + 3));
        const dst = heap.allocF32(rows * dstStride);
        const source = Float32Array.from({ length: rows * (width + 3) }, (_, i) => i + 0.5);
        heap.write(src, source);
        heap.view(dst, rows * dstStride).fill(-1);
        kernels.copyRows(rows, width, dst, 4 * dstStride, src, 4 * srcStride);
        const got = heap.read(dst, rows * dstStride);
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < dstStride; j++) {
            expect(got[r * dstStride + j]).toBe(j < width ? source[r * srcStride + j] : -1);
          }
        }
        heap.free(src);
        heap.free(dst);
      });
    }
  }

  it('does nothing for zero rows or zero width', () => {
    const dst = heap.allocF32(8);
    heap.view(dst, 8).fill(7);
    kernels.copyRows(0, 8, dst, 32, dst + 16, 32);
    kernels.copyRows(2, 0, dst, 16, dst + 16, 16);
    expect(Array.from(heap.read(dst, 8))).toEqual(Array(8).fill(7));
    heap.free(dst);
  });
});
