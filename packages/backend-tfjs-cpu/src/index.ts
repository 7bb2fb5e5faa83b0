/**
 * `@recur/backend-tfjs-cpu`: Recur on TensorFlow.js's pure-JavaScript `cpu` backend.
 *
 * @packageDocumentation
 */
import { activateTfjsEngine, createTfjsAdapter, type TfjsBackend } from '@recur/backend-tfjs';
import { cpuProduct } from './product-kernel.js';

export type { TfjsBackend } from '@recur/backend-tfjs';
export { PRODUCT_KERNEL } from './product-kernel.js';

/** Options of {@link createTfjsCpuBackend}. */
export interface TfjsCpuBackendOptions {
  /** Offer the fused whole-sequence kernels (default `true`; `false` forces the composed path). */
  readonly fused?: boolean;
  /**
   * Which matrix product runs Recur's matmuls (default `recur`): `recur` registers Recur's
   * register-tiled JavaScript product as a tfjs-cpu kernel (`RecurFusedMatMul`, 3–5× faster than
   * tfjs-cpu's `BatchMatMul`, with bias and activation in the same pass); `tfjs` keeps tfjs-cpu's own
   * `matMul`, e.g. to compare with it. Elementwise ops, memory and tensors are tfjs-cpu's either way.
   */
  readonly product?: 'recur' | 'tfjs';
}

/**
 * Creates the `tfjs-cpu` Recur backend. Async because tfjs's `setBackend` is: it loads
 * `@tensorflow/tfjs-backend-cpu` (nothing is registered when this module is imported), makes `cpu`
 * the active tfjs backend and waits until it is ready.
 *
 * One process has one tfjs engine. If another Recur tfjs backend (e.g. `wasm`) also exists, each
 * switches the engine back to its own tfjs backend before computing and refuses the other's tensors.
 *
 * @example
 * const backend = await createTfjsCpuBackend();
 */
export async function createTfjsCpuBackend(options: TfjsCpuBackendOptions = {}): Promise<TfjsBackend> {
  const product = options.product ?? 'recur';
  if (product !== 'recur' && product !== 'tfjs') {
    throw new RangeError(`createTfjsCpuBackend: product must be 'recur' or 'tfjs', got ${String(product)}`);
  }
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await activateTfjsEngine(tf, 'cpu');
  return createTfjsAdapter(tf, {
    name: 'tfjs-cpu',
    engine: 'cpu',
    fused: options.fused,
    // tfjs-cpu's matmul runs transposed operands through its index strides at the same speed, while a
    // materialized transpose costs ~35 ns per element (its Transpose builds an index array per element).
    explicitTranspose: false,
    // Its Slice of a column block copies element by element (~0.8 µs each): never slice gate columns.
    gateProducts: 'per-gate',
    // Its broadcasting add walks index arrays per element: biases ride in the projection matmul instead.
    biasInProduct: true,
    product: product === 'recur' ? cpuProduct(tf) : undefined,
  });
}
