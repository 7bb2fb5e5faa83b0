/** The one way the torch reader fails: a {@link WeightFileError} of format `torch`. */
import { WeightFileError } from '../errors.js';

/** Throws `WeightFileError('torch', message)`. */
export function fail(message: string): never {
  throw new WeightFileError('torch', message);
}
