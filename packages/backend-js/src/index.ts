/**
 * `@recur/backend-js`: Recur's pure-TypeScript reverse-mode autograd backend.
 *
 * ```ts
 * import { createJsBackend } from '@recur/backend-js';
 * const backend = createJsBackend(); // fused kernels on; { fused: false } for the composed path
 * ```
 */

export { createJsBackend, type JsBackendOptions } from './backend.js';
export { JsTensor } from './tensor.js';
