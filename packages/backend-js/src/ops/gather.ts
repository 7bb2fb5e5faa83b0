/** Row gather along axis 0; its gradient scatter-adds, so repeated indices accumulate. */

import type { Engine } from '../engine.js';
import { allocLike, type JsTensor } from '../tensor.js';

/** Rows `indices` of `x` (shape `[len(indices), ...x.shape[1:]]`). */
export function gather(e: Engine, x: JsTensor, indices: Int32Array): JsTensor {
  const data = x.data;
  const rows = x.shape[0];
  const width = rows === 0 ? 0 : data.length / rows;
  const out = allocLike(data, indices.length * width);
  for (let r = 0; r < indices.length; r++) {
    const src = indices[r] * width;
    const dst = r * width;
    for (let j = 0; j < width; j++) out[dst + j] = data[src + j];
  }
  const y = e.tensor(out, [indices.length, ...x.shape.slice(1)]);
  if (!e.tape.isTracked(x)) return y;
  // Copy: the caller may reuse its index array after this call returns.
  const saved = indices.slice();
  e.tape.record('gather', [x], [y], ([dy]) => {
    const g = dy!.data;
    const dx = allocLike(g, data.length);
    for (let r = 0; r < saved.length; r++) {
      const dst = saved[r] * width;
      const src = r * width;
      for (let j = 0; j < width; j++) dx[dst + j] += g[src + j];
    }
    return [e.tensor(dx, x.shape)];
  });
  return y;
}
