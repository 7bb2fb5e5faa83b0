/**
 * One process has one tfjs engine with one active tfjs backend at a time. Each Recur tfjs backend is
 * pinned to one tfjs backend (`cpu`, `wasm`, `tensorflow`, ...): before it computes it makes that
 * backend the active one, and it refuses tensors whose data lives on another tfjs backend, so two
 * Recur tfjs backends in one process never silently compute on each other's engine.
 */
import type { TfjsCore, TfTensor } from './tfjs.js';

/** Switches the active tfjs backend and checks tensors; created once per adapter. */
export interface EngineGuard {
  /** The tfjs backend this Recur backend computes on. */
  readonly engine: string;
  /** Makes `engine` the active tfjs backend (synchronously) or throws. */
  activate(): void;
  /** Throws unless `x` is a live tfjs tensor whose data lives on `engine`. */
  check(x: unknown, what: string): asserts x is TfTensor;
}

/**
 * Registers nothing: `engine` must already be registered (by importing its tfjs package). Makes it
 * the active tfjs backend and waits until it is initialized. Engine packages call this in their
 * async factories before {@link createTfjsAdapter}.
 */
export async function activateTfjsEngine(tf: TfjsCore, engine: string): Promise<void> {
  if (tf.findBackendFactory(engine) == null) {
    throw new Error(`tfjs backend '${engine}' is not registered: import its tfjs package first`);
  }
  const ok = await tf.setBackend(engine);
  await tf.ready();
  if (!ok || tf.getBackend() !== engine) {
    throw new Error(`tfjs backend '${engine}' failed to initialize (active backend: '${tf.getBackend()}')`);
  }
}

/**
 * Builds the guard of a Recur backend named `recurName` that computes on tfjs backend `engine`;
 * `assertUsable`, when given, runs first in every `activate` (it throws when the engine is broken).
 */
export function createEngineGuard(
  tf: TfjsCore,
  recurName: string,
  engine: string,
  assertUsable?: () => void,
): EngineGuard {
  const kernelBackend = tf.engine().registry[engine];
  if (kernelBackend === undefined) {
    throw new Error(
      `${recurName}: tfjs backend '${engine}' is not initialized; await tf.setBackend('${engine}') first`,
    );
  }
  const tfEngine = tf.engine();

  const isActive = (): boolean => {
    try {
      return tf.backend() === kernelBackend;
    } catch {
      return false; // another backend's initialization is pending
    }
  };

  const ownerName = (backend: unknown): string => {
    for (const [name, instance] of Object.entries(tfEngine.registry)) {
      if (instance === backend) return name;
    }
    return 'an unknown backend';
  };

  return {
    engine,
    activate(): void {
      assertUsable?.();
      if (isActive()) return;
      // For a backend that is already initialized, `setBackend` switches before its first `await`,
      // i.e. synchronously; the check below makes sure of it instead of trusting it.
      tf.setBackend(engine).catch(() => undefined);
      if (!isActive()) {
        throw new Error(
          `${recurName}: cannot make tfjs backend '${engine}' active (active: '${tf.getBackend()}'); ` +
            'was it removed, or is another backend still initializing?',
        );
      }
    },
    check(x: unknown, what: string): asserts x is TfTensor {
      if (!(x instanceof tf.Tensor)) {
        throw new Error(`${recurName}: ${what} is not a tfjs tensor`);
      }
      const info = tfEngine.state.tensorInfo.get(x.dataId);
      if (info === undefined) throw new Error(`${recurName}: ${what} has been disposed`);
      if (info.backend !== kernelBackend) {
        throw new Error(
          `${recurName}: ${what} lives on tfjs backend '${ownerName(info.backend)}', but this backend ` +
            `computes on '${engine}'; tensors cannot be shared between Recur backends`,
        );
      }
    },
  };
}
