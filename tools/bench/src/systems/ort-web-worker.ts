/**
 * onnxruntime-web in a worker thread: its wasm module takes its thread count once per instance
 * (`env.wasm.numThreads`), so each thread count gets a worker of its own. Requests come as
 * `{ id, op, spec? }` messages and are answered `{ id, ok, value | error }`; steps are timed here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OrtDriver, type OrtModule, type OrtSpec } from './ort-driver.js';

const port = parentPort!;
const { threads } = workerData as { threads: number };

const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = threads;
ort.env.logLevel = 'error';
const driver = new OrtDriver(ort as unknown as OrtModule);

port.on('message', async (m: { id: number; op: string; spec?: OrtSpec; n?: number }) => {
  try {
    let value: unknown = null;
    if (m.op === 'prepare') await driver.prepare(m.spec!);
    else if (m.op === 'outputs') value = await driver.outputs(m.n ?? 1);
    else if (m.op === 'step') value = await driver.step();
    else if (m.op === 'release') await driver.release();
    else if (m.op === 'info')
      value = { version: ort.env.versions?.web ?? null, numThreads: ort.env.wasm.numThreads };
    else throw new Error(`unknown op ${m.op}`);
    port.postMessage({ id: m.id, ok: true, value });
  } catch (error) {
    port.postMessage({ id: m.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
port.postMessage({ id: 0, ok: true, value: 'ready' });
