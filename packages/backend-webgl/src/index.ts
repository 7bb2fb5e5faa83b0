/**
 * `@recur/backend-webgl`: Recur on TensorFlow.js's WebGL 2 backend, for GPUs in browsers.
 *
 * `createWebglBackend()` refuses, with the reason, any browser where tfjs would not compute exact
 * float32 on WebGL 2 (no silent fallback to tfjs's cpu backend, no float16 textures), reports the GL
 * renderer, and turns a lost WebGL context into an error on the next call. Its fused RNN/LSTM/GRU
 * kernels run one shader program per time step each way (see `fused/kernel.ts`).
 *
 * @packageDocumentation
 */
import { activateTfjsEngine, createTfjsAdapter, type TfjsBackend, type TfjsCore } from '@recur/backend-tfjs';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { watchContext } from './context.js';
import { checkCapabilities, inspectInitialized, type WebglInfo } from './environment.js';
import { webglSequenceKernel } from './fused/kernel.js';
import { registerProgramKernels } from './programs/kernels.js';

export type { TfjsBackend } from '@recur/backend-tfjs';
export { WebglContextLostError } from './context.js';
export { countDispatches, type DispatchCount } from './dispatches.js';
export { type WebglInfo, WebglUnavailableError } from './environment.js';

/** Options of {@link createWebglBackend}. */
export interface WebglBackendOptions {
  /**
   * Offer the fused whole-sequence kernels (default `true`: one shader program per step);
   * `false` forces the composed path (the cell built from primitives, ~15–30 dispatches per step).
   */
  readonly fused?: boolean;
}

/** The `webgl` Recur backend, with the WebGL details a runner may print. */
export interface WebglBackend extends TfjsBackend, WebglInfo {
  /** The `@tensorflow/tfjs-core` namespace it computes with (for profiling and dispatch counts). */
  readonly tf: TfjsCore;
  /** Whether the WebGL context has been lost (every operation then throws). */
  contextLost(): boolean;
}

/**
 * Creates the `webgl` Recur backend. Async: it loads `@tensorflow/tfjs-backend-webgl` (nothing is
 * registered when this module is imported), checks that this browser gives WebGL 2 with float32
 * render targets, makes `webgl` the active tfjs backend and waits until it is ready.
 *
 * Throws {@link WebglUnavailableError} naming what is missing (no WebGL, WebGL 1 only, no float32
 * render targets, or tfjs not starting its webgl backend). After the context is lost, every call
 * throws {@link WebglContextLostError}; calling `createWebglBackend()` again starts over on a new
 * context.
 *
 * One page has one tfjs engine: alongside another Recur tfjs backend, each switches the engine
 * back to its own tfjs backend before computing and refuses the other's tensors.
 *
 * @example
 * const backend = await createWebglBackend();
 * console.log(backend.renderer);
 */
export async function createWebglBackend(options: WebglBackendOptions = {}): Promise<WebglBackend> {
  const tf = await import('@tensorflow/tfjs-core');
  const webgl = await import('@tensorflow/tfjs-backend-webgl');
  replaceLostBackend(tf, webgl.MathBackendWebGL);
  checkCapabilities(tf);
  try {
    await activateTfjsEngine(tf, 'webgl');
  } catch (error) {
    // tfjs falls back to another backend when its webgl one fails to start: name the real cause.
    inspectInitialized(tf);
    throw error;
  }
  const { info, gl } = inspectInitialized(tf);
  const context = watchContext(gl);
  registerProgramKernels(tf);
  const fused = options.fused ?? true;
  const adapter = createTfjsAdapter(tf, {
    name: 'webgl',
    engine: 'webgl',
    fused,
    // WebGL's matmul takes transpose flags at no cost; a separate transpose is a dispatch.
    explicitTranspose: false,
    // tfjs-webgl's packed matmul sums texture padding over an odd shared dimension.
    padOddSharedDim: true,
    sequenceKernel: fused ? webglSequenceKernel(tf) : undefined,
    assertUsable: context.assertUsable,
  });
  return { ...adapter, ...info, tf, contextLost: context.lost };
}

/**
 * After a context loss tfjs keeps its dead webgl backend; drop it and register a fresh one, whose
 * initialization makes a new context. Tensors of the old backend are gone either way.
 */
function replaceLostBackend(tf: TfjsCore, backendClass: typeof MathBackendWebGL): void {
  const existing = tf.engine().registry.webgl as MathBackendWebGL | undefined;
  if (existing === undefined || !existing.gpgpu.gl.isContextLost()) return;
  tf.removeBackend('webgl');
  tf.registerBackend('webgl', () => new backendClass(), 2);
}
