/**
 * `@recur/backend-wasm`: Recur on TensorFlow.js's WebAssembly backend (SIMD where supported).
 *
 * In Node the `.wasm` binaries load from the installed package with no setup and run single-threaded.
 * In a browser, serve the package's three `.wasm` files and pass their location as `wasmPaths`;
 * threads additionally need cross-origin isolation (COOP/COEP headers).
 *
 * @packageDocumentation
 */
import { activateTfjsEngine, createTfjsAdapter, type TfjsBackend } from '@recur/backend-tfjs';

export type { TfjsBackend } from '@recur/backend-tfjs';

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /** Offer the fused whole-sequence kernels (default `true`; `false` forces the composed path). */
  readonly fused?: boolean;
  /**
   * Where the `.wasm` files are served (a URL prefix ending in `/`, or a map from file name to URL),
   * passed to tfjs's `setWasmPaths` before the first initialization. Not needed in Node.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
}

/**
 * Creates the `wasm` Recur backend. Async: it loads `@tensorflow/tfjs-backend-wasm` (nothing is
 * registered when this module is imported), compiles the WebAssembly module, makes `wasm` the
 * active tfjs backend and waits until it is ready. In Node, multithreading is turned off (tfjs's
 * threaded build does not start there); SIMD stays on.
 *
 * `gather`'s gradient uses a one-hot matmul here: tfjs-wasm has no `UnsortedSegmentSum` kernel.
 * One process has one tfjs engine: alongside another Recur tfjs backend, each switches the engine
 * back to its own tfjs backend before computing and refuses the other's tensors.
 *
 * @example
 * const backend = await createWasmBackend();
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<TfjsBackend> {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (tf.findBackend('wasm') == null) {
    if (tf.env().getBool('IS_NODE')) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const paths = options.wasmPaths;
    if (paths !== undefined) wasm.setWasmPaths(typeof paths === 'string' ? paths : { ...paths });
  }
  await activateTfjsEngine(tf, 'wasm');
  // tfjs-wasm's Slice copies its whole input: fused kernels read step rows through the host.
  return createTfjsAdapter(tf, { name: 'wasm', engine: 'wasm', fused: options.fused, stepRows: 'host' });
}
