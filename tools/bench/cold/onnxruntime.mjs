// Cold start of ONNX Runtime, in a fresh Node process: from just before `import('onnxruntime-…')` to
// the first output of the model file (Recur's model exported with writeOnnx, B1, one time step, h0/c0
// inputs), session creation included. Prints one JSON line: {"ms": …}.
// Usage: node onnxruntime.mjs <node|web> <model.onnx> <inputSize> <hiddenSize> <lstm|gru|rnn>
import { readFileSync } from 'node:fs';

const [kind, modelPath, inputSize, hiddenSize, cell] = process.argv.slice(2);
const model = readFileSync(modelPath);
const start = performance.now();
const ort = await import(kind === 'web' ? 'onnxruntime-web' : 'onnxruntime-node');
if (kind === 'web') ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(
  model,
  kind === 'web' ? { executionProviders: ['wasm'] } : { intraOpNumThreads: 1, executionProviders: ['cpu'] },
);
const h = Number(hiddenSize);
const feeds = {
  input: new ort.Tensor('float32', new Float32Array(Number(inputSize)).fill(0.5), [1, 1, Number(inputSize)]),
  h0: new ort.Tensor('float32', new Float32Array(h), [1, 1, h]),
};
if (cell === 'lstm') feeds.c0 = new ort.Tensor('float32', new Float32Array(h), [1, 1, h]);
const out = await session.run(feeds);
const first = out.output.data[0];
const ms = performance.now() - start;
process.stdout.write(`${JSON.stringify({ ms, check: Number.isFinite(first) })}\n`);
process.exit(0);
