/**
 * The one tfjs engine of this process, as the references see it. The Recur tfjs backends register
 * and activate their tfjs backend themselves; the tfjs-layers references may run without them
 * (`--backend js` still compares against tfjs-layers on tfjs-cpu), so this registers what they need.
 */
import type * as tfc from '@tensorflow/tfjs-core';

/** The `@tensorflow/tfjs-core` namespace. */
export type Tf = typeof tfc;

/** A tfjs backend name a reference can run on. */
export type TfjsEngine = 'cpu' | 'wasm' | 'tensorflow';

/** Imports tfjs-core (lazily, so `--backend js` with no tfjs reference never loads it). */
export function loadTf(): Promise<Tf> {
  return import('@tensorflow/tfjs-core');
}

/** Registers `engine` if needed, makes it the active tfjs backend and waits until it is ready. */
export async function activateEngine(engine: TfjsEngine): Promise<Tf> {
  const tf = await loadTf();
  if (tf.getBackend() === engine) return tf;
  if (tf.findBackendFactory(engine) == null) {
    if (engine === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
    if (engine === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      // As @recur/backend-wasm does: tfjs-wasm's threaded build does not start in Node.
      if (tf.env().getBool('IS_NODE')) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
    if (engine === 'tensorflow') {
      const { tfjsNodeAvailability } = await import('@recur/backend-tfjs-node');
      const availability = await tfjsNodeAvailability();
      if (!availability.available) {
        throw new Error(`tfjs-node's native binding is unavailable: ${availability.reason}`);
      }
    }
  }
  const ok = await tf.setBackend(engine);
  await tf.ready();
  if (!ok || tf.getBackend() !== engine) throw new Error(`tfjs backend '${engine}' failed to initialize`);
  return tf;
}

/** Whether `engine` still computes (a WebAssembly abort leaves tfjs-wasm unusable for the process). */
export async function engineAlive(engine: TfjsEngine): Promise<boolean> {
  try {
    const tf = await activateEngine(engine);
    return tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0] === 3);
  } catch {
    return false;
  }
}

/** The parts of tfjs-core's engine a restart has to touch (not in its public types). */
interface EngineInternals {
  registry: Record<string, object | undefined>;
  setupRegisteredKernels(): void;
}

/**
 * Revives a tfjs-wasm backend whose WebAssembly module aborted (tfjs-layers fills the 4 GiB heap on
 * W3 training), so that the run can go on. The backend object is kept and given a fresh module,
 * because every Recur backend created on it holds that object (and `@recur/core` keeps every backend
 * it has used, so a replaced one would fail each later `tidy`). Tensors that lived in the dead
 * module are abandoned: disposing them is a no-op. Only `wasm` can be revived.
 */
export async function restartEngine(engine: TfjsEngine): Promise<void> {
  if (engine !== 'wasm') throw new Error(`tfjs backend '${engine}' cannot be restarted`);
  const tf = await loadTf();
  const factory = tf.findBackendFactory(engine);
  const e = tf.engine() as unknown as EngineInternals;
  const dead = e.registry[engine];
  if (factory == null || dead === undefined) throw new Error(`tfjs backend '${engine}' is not initialized`);
  // The registered factory instantiates a new WebAssembly module inside a new backend object; move
  // its state (module, tensor table, counters) into the old object.
  const fresh = (await factory()) as object;
  Object.assign(dead, fresh);
  const storage = (dead as { dataIdMap?: { backend?: object } }).dataIdMap;
  if (storage !== undefined) storage.backend = dead;
  await activateEngine(engine);
  // Kernels bind the module's exports when set up: bind them to the new module.
  e.setupRegisteredKernels();
}
