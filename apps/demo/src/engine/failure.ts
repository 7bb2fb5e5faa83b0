/** Turns whatever an engine threw into a {@link Failure} the page can explain. */
import type { Failure } from './protocol.js';

/**
 * Lost WebGL contexts and exhausted memory get their own kind, because the page tells the user what
 * to do about them (switch backend, shrink the model). The patterns are the messages tfjs, WebGL,
 * WebAssembly and the JS engines give for those cases.
 */
export function toFailure(error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'WebglContextLostError' || /context (was )?lost/i.test(message)) {
    return { kind: 'context-lost', message };
  }
  if (
    /out of memory|OUT_OF_MEMORY|Requested texture size|allocation failed|Invalid typed array length|Array buffer allocation|memory access out of bounds|Cannot enlarge memory|Aborted\(/i.test(
      message,
    )
  ) {
    return { kind: 'out-of-memory', message };
  }
  return { kind: 'error', message };
}
