/**
 * The adding problem (Hochreiter & Schmidhuber, 1997), used by the vanishing-gradient panel: each
 * step carries a random value and a marker; the target is the sum of the two marked values, one in
 * the first half of the sequence and one in the second. Only a model whose gradient reaches back to
 * the first marker can learn it, which is exactly what a vanilla RNN's vanishing gradient prevents.
 */

import type { Generator, Tensor } from '@recur/core';
import { Linear, mseLoss, ops, tensor } from '@recur/core';
import type { AddingBatch } from '@recur/datasets';
import type { CellName } from '../engine/protocol.js';
import type { Recurrent } from './recurrent.js';
import { createRecurrent, runRecurrent } from './recurrent.js';

// The data itself is shared with the examples through @recur/datasets.
export { type AddingBatch, addingBatch } from '@recur/datasets';

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
