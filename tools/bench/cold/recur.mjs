// Cold start of a Recur backend, in a fresh Node process: from just before the first import of Recur to
// the first output of a streaming call (B1, one time step), kernel emission and compilation included.
// Runs Recur's compiled packages (`dist`, as users import them). Prints one JSON line: {"ms": …}.
// Usage: node recur.mjs <js|wasm> <lstm|gru|rnn> <inputSize> <hiddenSize>
const [backendName, cell, inputSize, hiddenSize] = process.argv.slice(2);
const start = performance.now();
const core = await import('@recur/core');
const backend =
  backendName === 'wasm'
    ? await (await import('@recur/backend-wasm')).createWasmBackend()
    : (await import('@recur/backend-js')).createJsBackend();
const Module = { lstm: core.LSTM, gru: core.GRU, rnn: core.RNN }[cell];
const module = new Module({
  inputSize: Number(inputSize),
  hiddenSize: Number(hiddenSize),
  batchFirst: true,
  backend,
  dtype: 'float32',
  generator: new core.Generator(0),
});
const input = core.randn([1, 1, Number(inputSize)], { backend, generator: new core.Generator(1) });
const [output] = module.forward(input);
const first = output.toArray()[0];
const ms = performance.now() - start;
process.stdout.write(`${JSON.stringify({ ms, check: Number.isFinite(first) })}\n`);
process.exit(0);
