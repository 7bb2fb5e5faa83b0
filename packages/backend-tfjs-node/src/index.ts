/**
 * `@recur/backend-tfjs-node`: Recur on TensorFlow.js's native Node binding (libtensorflow).
 *
 * `@tensorflow/tfjs-node` is an optional dependency: its install script downloads libtensorflow from
 * outside the npm registry, which fails offline or behind a proxy, and installing this package must
 * still succeed then. It is loaded only when {@link createTfjsNodeBackend} or
 * {@link tfjsNodeAvailability} is called; when the binding does not load, the factory throws an
 * error that says so and quotes tfjs-node's own message.
 *
 * @packageDocumentation
 */
import { activateTfjsEngine, createTfjsAdapter, type TfjsBackend } from '@recur/backend-tfjs';

export type { TfjsBackend } from '@recur/backend-tfjs';

/** Whether tfjs-node's native binding loads in this process, and if not, why. */
export type TfjsNodeAvailability =
  | {
      /** The native binding loaded: the `tensorflow` tfjs backend is registered. */
      readonly available: true;
    }
  | {
      /** The binding failed to load; tfjs-node cannot be used in this process. */
      readonly available: false;
      /** tfjs-node's own error message from the failed import. */
      readonly reason: string;
    };

/** Options of {@link createTfjsNodeBackend}. */
export interface TfjsNodeBackendOptions {
  /** Offer the fused whole-sequence kernels (default `true`; `false` forces the composed path). */
  readonly fused?: boolean;
}

let loading: Promise<TfjsNodeAvailability> | undefined;

/**
 * Loads `@tensorflow/tfjs-node` once and reports whether its native binding works. Never throws:
 * runners use it to skip tfjs-node with the reason printed. Loading registers (and activates) tfjs's
 * `tensorflow` backend.
 */
export function tfjsNodeAvailability(): Promise<TfjsNodeAvailability> {
  loading ??= import('@tensorflow/tfjs-node').then(
    (): TfjsNodeAvailability => ({ available: true }),
    (error: unknown): TfjsNodeAvailability => ({
      available: false,
      reason: error instanceof Error ? error.message : String(error),
    }),
  );
  return loading;
}

/**
 * Creates the `tfjs-node` Recur backend on tfjs's native `tensorflow` backend. Async: it loads
 * tfjs-node, makes `tensorflow` the active tfjs backend and waits until it is ready.
 *
 * @throws Error "tfjs-node's native binding is unavailable: …" with tfjs-node's own message when
 * the optional dependency is missing or its binding (libtensorflow) does not load.
 *
 * @example
 * const backend = await createTfjsNodeBackend();
 */
export async function createTfjsNodeBackend(options: TfjsNodeBackendOptions = {}): Promise<TfjsBackend> {
  const availability = await tfjsNodeAvailability();
  if (!availability.available) {
    throw new Error(`tfjs-node's native binding is unavailable: ${availability.reason}`);
  }
  const tf = await import('@tensorflow/tfjs-core');
  await activateTfjsEngine(tf, 'tensorflow');
  // libtensorflow's matmul handles transpose flags natively; materializing would only add copies.
  return createTfjsAdapter(tf, {
    name: 'tfjs-node',
    engine: 'tensorflow',
    fused: options.fused,
    explicitTranspose: false,
  });
}
