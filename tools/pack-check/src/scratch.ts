/**
 * The files pack-check writes into the scratch project, where only the installed tarballs resolve.
 * They use nothing but each package's public API, as a user's code would.
 */

/**
 * Plain Node ESM: trains the same LSTM regressor 3 Adam steps on every Node backend, from the same
 * seed (`manualSeed` drives the initialisation and the data, so every backend starts from identical
 * numbers), and prints `RESULT {"losses": {...}, "skipped": {...}}`.
 */
export const trainScript = `import { createJsBackend } from '@recur/backend-js';
import { createTfjsCpuBackend } from '@recur/backend-tfjs-cpu';
import { createTfjsNodeBackend, tfjsNodeAvailability } from '@recur/backend-tfjs-node';
import { createWasmBackend } from '@recur/backend-wasm';
import { Adam, backward, Linear, LSTM, manualSeed, mseLoss, ops, randn } from '@recur/core';

const T = 6, N = 4, I = 3, H = 8;

function train(backend) {
  manualSeed(1234);
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, backend });
  const head = new Linear({ inFeatures: H, outFeatures: 1, backend });
  const x = randn([T, N, I], { backend });
  const y = randn([N, 1], { backend });
  const params = [...lstm.parameters(), ...head.parameters()];
  const optimizer = new Adam(params, { lr: 0.05 });
  const losses = [];
  for (let step = 0; step < 3; step++) {
    optimizer.zeroGrad();
    const loss = backward(() => mseLoss(head.forward(ops.index0(lstm.forward(x)[0], T - 1)), y), params);
    losses.push(loss.item());
    loss.dispose();
    optimizer.step();
  }
  return losses;
}

const losses = {};
const skipped = {};
losses.js = train(createJsBackend());
losses.wasm = train(await createWasmBackend());
losses['tfjs-cpu'] = train(await createTfjsCpuBackend());
const node = await tfjsNodeAvailability();
if (node.available) losses['tfjs-node'] = train(await createTfjsNodeBackend());
else skipped['tfjs-node'] = node.reason.split('\\n')[0];
console.log('RESULT ' + JSON.stringify({ losses, skipped }));
// tfjs engines may keep handles open; the check is done.
process.exit(0);
`;

/**
 * A strict TypeScript consumer: imports every public entry point (so each one's declarations must
 * resolve and type-check) and uses the main API with types.
 */
export function consumerSource(specifiers: readonly string[]): string {
  const imports = specifiers.map((s, i) => `import * as entry${i} from '${s}';`);
  return `${imports.join('\n')}
import { createJsBackend } from '@recur/backend-js';
import { Adam, backward, LSTM, mseLoss, ops, randn, type Tensor } from '@recur/core';
import { createJsGemm, type GemmTier } from '@recur/gemm';

export const entryPoints: Record<string, object> = {
${specifiers.map((s, i) => `  '${s}': entry${i},`).join('\n')}
};

const backend = createJsBackend();
const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, backend });
const x: Tensor = randn([5, 2, 3], { backend });
const [output, [hn, cn]] = lstm.forward(x);
const shapes: readonly number[][] = [output.shape, hn.shape, cn.shape].map((s) => [...s]);
const optimizer = new Adam(lstm.parameters(), { lr: 1e-3 });
const loss: Tensor = backward(() => mseLoss(ops.index0(lstm.forward(x)[0], 4), randn([2, 4], { backend })), lstm.parameters());
const value: number = loss.item();
optimizer.step();
const gemm: GemmTier = createJsGemm();
export const summary = { shapes, value, gemm: gemm.name };
`;
}

/**
 * tsconfig for the consumer: strict and ESM. The node16 run checks the installed declarations too
 * (`skipLibCheck` off); the bundler run, whose declarations are the same files, only checks that every
 * entry point resolves and types the consumer under bundler resolution (`skipLibCheck` on: it halves
 * the time). No `types` list: like most projects it takes every installed `@types/*` (tfjs-core's
 * declarations use `Long` from `@types/long` without referencing it, so a `types` list that leaves it
 * out breaks them).
 */
export function tsconfigFor(resolution: 'node16' | 'bundler'): string {
  const compilerOptions = {
    strict: true,
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: resolution === 'node16' ? 'Node16' : 'ESNext',
    moduleResolution: resolution === 'node16' ? 'Node16' : 'Bundler',
    noEmit: true,
    skipLibCheck: resolution === 'bundler',
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
  };
  return `${JSON.stringify({ compilerOptions, files: ['consumer.ts'] }, null, 2)}\n`;
}

/** The browser entry the bundle budget is measured on: an LSTM forward pass on backend-js. */
export const browserEntry = `import { createJsBackend } from '@recur/backend-js';
import { LSTM, randn } from '@recur/core';

const backend = createJsBackend();
const lstm = new LSTM({ inputSize: 4, hiddenSize: 8, backend });
const [output] = lstm.forward(randn([3, 1, 4], { backend }));
console.log(output.shape);
`;
