/** `log(softmax(x))` over the last axis, computed as `x − max − log Σ exp(x − max)` so it never overflows. */

import type { Engine } from '../engine.js';
import { allocLike, type JsTensor } from '../tensor.js';

/** Row-wise log-softmax; the gradient is `dy − softmax · Σ dy` per row, with softmax = exp(y). */
export function logSoftmax(e: Engine, x: JsTensor): JsTensor {
  const xData = x.data;
  const width = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  const rows = width === 0 ? 0 : xData.length / width;
  const yData = allocLike(xData, xData.length);
  for (let r = 0, base = 0; r < rows; r++, base += width) {
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < width; j++) if (xData[base + j] > m) m = xData[base + j];
    let s = 0;
    for (let j = 0; j < width; j++) s += Math.exp(xData[base + j] - m);
    const shift = m + Math.log(s);
    for (let j = 0; j < width; j++) yData[base + j] = xData[base + j] - shift;
  }
  const y = e.tensor(yData, x.shape);
  e.tape.record('logSoftmax', [x], [y], ([dy]) => {
    const g = dy!.data;
    const dx = allocLike(g, g.length);
    for (let r = 0, base = 0; r < rows; r++, base += width) {
      let s = 0;
      for (let j = 0; j < width; j++) s += g[base + j];
      for (let j = 0; j < width; j++) dx[base + j] = g[base + j] - Math.exp(yData[base + j]) * s;
    }
    return [e.tensor(dx, x.shape)];
  });
  return y;
}
