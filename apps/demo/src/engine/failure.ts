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

/**
 * A failure in plain words for a person: the backend's name once (engines' messages often start
 * with it already), and no advice meant for a programmer (such as which factory to call again).
 */
export function plainFailure(backend: string, failure: Failure): string {
  if (failure.kind === 'context-lost') {
    return `${backend}: the WebGL context was lost (the GPU was reset, or the browser took it back)`;
  }
  let message = failure.message.trim();
  const prefix = `${backend}:`;
  while (message.toLowerCase().startsWith(prefix.toLowerCase()))
    message = message.slice(prefix.length).trim();
  // Sentences addressed to a programmer ("Create a new backend with createWebglBackend().") go.
  message = message.replace(/\s*[^.;]*\b(create|call)\w*\b[^.;]*\w+\(\)[^.;]*[.;]?/gi, '').trim();
  if (failure.kind === 'out-of-memory') return `${backend} ran out of memory (${message})`;
  return `${backend}: ${message}`;
}
