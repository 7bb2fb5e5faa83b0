/**
 * Median timings of the issue's workloads (W1–W4) on this backend, for the kernel tiers.
 * Run: `npx tsx packages/backend-js/bench/workloads.ts [tiers] [workloads] [cells]`, e.g.
 * `simd,simd2,scalar W1,W2,W4 lstm,gru,rnn` (`simd2` = SIMD tier with two threads).
 * Not a test: timing never runs in CI. The repository-wide bench tool lives in `tools/bench`.
 * Imports the packages' entry points from source, so it measures the working tree without a build.
 * Ratios are against the PyTorch and tfjs medians in docs/performance.md (same machine kind);
 * on a machine shared with other jobs, compare tiers within one run, or use `CLOCK=cpu` (1 thread).
 */
import { GRU, LSTM, ops, RNN, randn, tidy, valueAndGrads } from '../../core/src/index.js';
import { createJsBackend } from '../src/index.js';

interface Workload {
  readonly name: string;
  readonly B: number;
  readonly T: number;
  readonly I: number;
  readonly H: number;
  readonly L: number;
  readonly train: boolean;
}

const WORKLOADS: Workload[] = [
  { name: 'W1', B: 16, T: 32, I: 32, H: 64, L: 1, train: true },
  { name: 'W2', B: 32, T: 64, I: 128, H: 256, L: 1, train: true },
  { name: 'W3', B: 64, T: 128, I: 256, H: 512, L: 2, train: true },
  { name: 'W4', B: 1, T: 256, I: 64, H: 128, L: 1, train: false },
];

/** PyTorch medians (ms) from docs/performance.md: [fwd, train]. */
const TORCH: Record<string, Record<string, [number, number]>> = {
  W1: { lstm: [1.16, 4.11], gru: [0.84, 3.86], rnn: [0.42, 1.44] },
  W2: { lstm: [19.6, 79.7], gru: [14.4, 64.6], rnn: [5.2, 13.7] },
  W3: { lstm: [456, 1240], gru: [304, 1250], rnn: [106, 347] },
  W4: { lstm: [3.56, Number.NaN], gru: [3.25, Number.NaN], rnn: [1.34, Number.NaN] },
};

/** tfjs-layers on tfjs-cpu training medians (ms), same source: the issue asks for ≥ 20× on W1–W3. */
const TFJS_CPU_TRAIN: Record<string, Record<string, number>> = {
  W1: { lstm: 218, gru: 381, rnn: 60 },
  W2: { lstm: 7970, gru: 11440, rnn: 1940 },
  W3: { lstm: 267300, gru: 287400, rnn: 61950 },
};

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Wall-clock milliseconds, or with `CLOCK=cpu` this process's CPU milliseconds: on a machine shared
 * with other jobs, CPU time approximates what a quiet machine's wall time would be (single thread only).
 */
const clock =
  process.env.CLOCK === 'cpu'
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => performance.now();

function time(fn: () => void, budgetMs: number, minReps: number): number {
  fn();
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < budgetMs && times.length < 200)) {
    const t0 = clock();
    fn();
    times.push(clock() - t0);
  }
  return median(times);
}

const args = process.argv.slice(2);
const tiers = (args[0] ?? 'simd,scalar').split(',');
const names = (args[1] ?? 'W1,W2,W4').split(',');
const cells = (args[2] ?? 'lstm,gru,rnn').split(',');

for (const w of WORKLOADS.filter((x) => names.includes(x.name))) {
  for (const cell of cells) {
    const cols: string[] = [`${w.name} ${cell}`];
    for (const tier of tiers) {
      const threads = tier === 'simd2' ? 2 : 1;
      const backend = createJsBackend({ kernel: tier === 'scalar' ? 'scalar' : 'simd', threads });
      if (w === WORKLOADS.find((x) => names.includes(x.name)) && cell === cells[0]) {
        console.log(`${tier}: ${backend.kernelInfo.detail}`);
      }
      const built = buildOn(backend, cell, w);
      const budget = w.name === 'W3' ? 20000 : 3000;
      const reps = w.name === 'W3' ? 3 : 10;
      const fwd = time(built.forward, budget, reps);
      const train = w.train ? time(built.train, budget, reps) : Number.NaN;
      const [tf, tt] = TORCH[w.name][cell];
      cols.push(
        `${tier}: fwd ${fwd.toFixed(2)} (${(tf / fwd).toFixed(2)}×)` +
          (w.train
            ? ` train ${train.toFixed(2)} (${(tt / train).toFixed(2)}×; tfjs-cpu ${(TFJS_CPU_TRAIN[w.name][cell] / train).toFixed(0)}×)`
            : ''),
      );
    }
    console.log(cols.join(' | '));
  }
}

function buildOn(backend: ReturnType<typeof createJsBackend>, cell: string, w: Workload) {
  const options = { inputSize: w.I, hiddenSize: w.H, numLayers: w.L, batchFirst: true, backend };
  const model = cell === 'lstm' ? new LSTM(options) : cell === 'gru' ? new GRU(options) : new RNN(options);
  const x = randn([w.B, w.T, w.I], { backend });
  const params = model.parameters().map((p) => p.value);
  const out = () => {
    const r = model.forward(x) as unknown as [ReturnType<typeof randn>];
    return r[0];
  };
  return {
    forward: () => tidy(() => void out()),
    train: () =>
      tidy(() => {
        valueAndGrads(() => {
          const y = out();
          return ops.mean(ops.mul(y, y));
        }, params);
      }),
  };
}
