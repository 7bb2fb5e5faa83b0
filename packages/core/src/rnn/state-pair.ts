/** The `(h, c)` state pair of an LSTM or LSTMCell: both tensors or neither, as PyTorch requires. */
import { describeValue } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Returns `hx` as a pair, or undefined when omitted (`null`/`undefined`: zeros for both). A pair with a
 * missing member is refused: using zeros for the missing one would silently change the result.
 */
export function checkStatePair(
  where: string,
  hx: unknown,
  names: readonly [string, string],
): readonly [Tensor, Tensor] | undefined {
  if (hx === null || hx === undefined) return undefined;
  const [h, c] = names;
  if (!Array.isArray(hx) || hx.length !== 2) {
    throw new TypeError(
      `${where}: hx must be [${h}, ${c}] (two tensors) or omitted, got ${describeValue(hx)}`,
    );
  }
  hx.forEach((member, i) => {
    if (member === null || member === undefined) {
      throw new TypeError(
        `${where}: hx[${i}] (${names[i]}) must be a Tensor, got ${String(member)}; pass both ${h} and ${c}, ` +
          'or omit hx for zeros (PyTorch requires both)',
      );
    }
  });
  return hx as unknown as readonly [Tensor, Tensor];
}
