/**
 * The adding problem (Hochreiter & Schmidhuber, 1997), used by the vanishing-gradient panel: each
 * step carries a random value and a marker; the target is the sum of the two marked values, one in
 * the first half of the sequence and one in the second. Only a model whose gradient reaches back to
 * the first marker can learn it, which is exactly what a vanilla RNN's vanishing gradient prevents.
 */
import type { Generator, Tensor } from '@recur/core';
import { Linear, mseLoss, ops, tensor } from '@recur/core';
import type { CellName } from '../engine/protocol.js';
import type { Recurrent } from './recurrent.js';
import { createRecurrent, runRecurrent } from './recurrent.js';

/** A batch: inputs `[T, N, 2]` (value, marker) and targets `[N, 1]`. */
export interface AddingBatch {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly length: number;
  readonly size: number;
}

/** Draws `size` sequences of `length` steps. */
export function addingBatch(length: number, size: number, generator: Generator): AddingBatch {
  const x = new Float32Array(length * size * 2);
  const y = new Float32Array(size);
  const half = Math.floor(length / 2);
  for (let b = 0; b < size; b++) {
    for (let t = 0; t < length; t++) x[(t * size + b) * 2] = generator.random();
    const first = generator.int(half);
    const second = half + generator.int(length - half);
    for (const t of [first, second]) {
      x[(t * size + b) * 2 + 1] = 1;
      y[b] = y[b]! + x[(t * size + b) * 2]!;
    }
  }
  return { x, y, length, size };
}

/** One recurrent layer and a linear read-out of the last state. */
export class AddingModel {
  readonly rnn: Recurrent;
  readonly head: Linear;

  constructor(cell: CellName, hidden: number, generator: Generator) {
    this.rnn = createRecurrent({
      cell,
      inputSize: 2,
      hidden,
      layers: 1,
      bidirectional: false,
      path: 'auto',
      dtype: 'float32',
      generator,
    });
    this.head = new Linear({ inFeatures: hidden, outFeatures: 1, generator });
  }

  /** Mean squared error on `batch`, reading the inputs from `x` (so d loss / d x can be taken). */
  loss(batch: AddingBatch, x: Tensor = tensor(batch.x, [batch.length, batch.size, 2])): Tensor {
    const { hn } = runRecurrent(this.rnn, x);
    const prediction = this.head.forward(ops.index0(hn, 0));
    return mseLoss(prediction, tensor(batch.y, [batch.size, 1]));
  }

  parameters() {
    return [...this.rnn.parameters(), ...this.head.parameters()];
  }

  dispose(): void {
    this.rnn.dispose();
    this.head.dispose();
  }
}
