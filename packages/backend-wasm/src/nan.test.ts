// NaN must travel through the wasm engine as through PyTorch: tfjs-wasm's fused matMul with a `relu`
// epilogue clamps NaN to 0, so the adapter applies relu as its own op.

import { tfjsProduct } from '@recur/backend-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

describe('NaN on wasm', () => {
  it.each(['linear', 'sigmoid', 'tanh', 'relu'] as const)(
    'the product with a %s epilogue keeps NaN',
    async (activation) => {
      await createWasmBackend();
      const product = tfjsProduct(tf);
      const a = tf.tensor2d([Number.NaN, 1, 2, 3], [2, 2]);
      const b = tf.tensor2d([1, 0, 0, 1], [2, 2]);
      // a's NaN reaches both outputs of row 0, whatever the epilogue.
      const out = product({ a, b, activation, bias: tf.tensor1d([0, 0]) });
      expect(Array.from(out.dataSync()).map(Number.isNaN)).toEqual([true, true, false, false]);
      tf.dispose([a, b, out]);
    },
  );
});
