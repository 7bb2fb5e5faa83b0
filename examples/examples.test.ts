/**
 * Every example runs for a few steps through `pnpm example` (a child process, as a user runs it):
 * the loss falls, the `result:` line is well-formed, exit codes are 0 for PASS, 1 for FAIL and 2 for
 * bad input (one line on stderr, never a stack trace).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResultLine } from './lib/result.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'recur-examples-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const runExample = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'examples/run.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

/** The run's result line, parsed; fails the test if there is none or it is malformed. */
function result(stdout: string) {
  const line = stdout.trim().split('\n').at(-1)!;
  const parsed = parseResultLine(line);
  expect(parsed, `malformed result line: ${line}`).toBeDefined();
  return parsed!;
}

/** First and last training loss reported under `label` (the progress lines on a pipe). */
function losses(stdout: string, label: string): [number, number] {
  const first = new RegExp(`^${label}\\s+step 1/\\d+ loss (\\S+)`, 'm').exec(stdout)?.[1];
  const last = new RegExp(`^${label}\\s+done in \\S+ s, last loss (\\S+)`, 'm').exec(stdout)?.[1];
  expect(first, `no first loss for ${label}`).toBeDefined();
  expect(last, `no last loss for ${label}`).toBeDefined();
  return [Number(first), Number(last)];
}

/** Runs an example briefly and checks what every run must satisfy. */
function shortRun(name: string, ...args: string[]) {
  const r = runExample(name, '--out', out, ...args);
  expect(r.stderr).toBe('');
  expect([0, 1]).toContain(r.status);
  const parsed = result(r.stdout);
  // Exit code and verdict agree.
  expect(r.status).toBe(parsed.pass ? 0 : 1);
  return { ...r, parsed };
}

describe('pnpm example', () => {
  it('seed-rnn prints the output shape [5, 3, 20]', () => {
    const r = runExample('seed-rnn');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('output shape: [5, 3, 20]');
    expect(r.stdout).toContain('h_n shape: [1, 5, 20]');
  });

  it('an unknown example is a one-line error with exit code 2', () => {
    const r = runExample('no-such-example');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown example "no-such-example"; available: .*seed-rnn/);
  });
});

describe('bad input: one line on stderr, exit code 2', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'an unknown backend',
      ['--backend', 'gpu'],
      /unknown backend "gpu" \(expected one of js, wasm, tfjs-cpu, tfjs-node\)/,
    ],
    ['a non-numeric --steps', ['--steps', 'many'], /--steps must be an integer ≥ 1, got "many"/],
    ['a zero --steps', ['--steps', '0'], /--steps must be an integer ≥ 1/],
    ['a fractional --seed', ['--seed', '1.5'], /--seed must be an integer ≥ 0/],
    ['an unknown option', ['--epochs', '3'], /unknown option '--epochs'/],
    ['a bad example option', ['--hidden', 'big'], /--hidden must be an integer ≥ 1, got "big"/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = runExample('one-to-one', ...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).not.toMatch(/result:/);
    });
  }

  it('an unwritable --out', () => {
    const file = join(out, 'a-file');
    writeFileSync(file, '');
    const r = runExample('vanishing-gradients', '--out', join(file, 'charts'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--out .* is not a writable directory \(ENOTDIR\)/);
  });

  it('tfjs-node, whose native binding does not load here, is a clear one-line error', () => {
    const r = runExample('one-to-one', '--backend', 'tfjs-node', '--steps', '1', '--out', out);
    if (r.status === 2) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        /backend tfjs-node is unavailable here: tfjs-node's native binding is unavailable/,
      );
    } else {
      // Where the binding loads, the example simply runs.
      expect([0, 1]).toContain(r.status);
    }
  });
});

describe('each example, briefly', () => {
  it('one-to-one: a single step fails its target (exit 1); the default run passes (exit 0)', () => {
    const failing = shortRun('one-to-one', '--steps', '1');
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/result: rmse_ratio_to_linear=\S+ target <= 0\.85 FAIL$/m);
    const passing = shortRun('one-to-one');
    expect(passing.status).toBe(0);
    expect(passing.stdout).toMatch(/linear least squares test RMSE/);
    const [first, last] = losses(passing.stdout, 'RNNCell');
    expect(last).toBeLessThan(first / 2);
  });

  it('many-to-one: the loss falls; accuracy against 0.94', () => {
    const r = shortRun('many-to-one', '--steps', '12');
    const [first, last] = losses(r.stdout, 'GRU');
    expect(last).toBeLessThan(first);
    expect(r.stdout).toMatch(/majority-class baseline accuracy 0\.\d+/);
    expect(r.parsed.checks[0]).toMatchObject({ metric: 'test_accuracy', op: '>=', target: 0.94 });
  });

  it('one-to-many: the loss falls; ten samples per list', () => {
    const r = shortRun('one-to-many', '--steps', '30');
    const [first, last] = losses(r.stdout, 'GRU');
    expect(last).toBeLessThan(first);
    expect(r.stdout).toMatch(/^female: (\S+, ){9}\S+$/m);
    expect(r.stdout).toMatch(/^male: (\S+, ){9}\S+$/m);
    expect(r.parsed.checks[0]).toMatchObject({ metric: 'bpc_ratio_to_bigram', op: '<=', target: 0.9 });
  });

  it('many-to-many: the loss falls; MAE against seasonal naive', () => {
    const r = shortRun('many-to-many', '--steps', '15');
    const [first, last] = losses(r.stdout, 'LSTM');
    expect(last).toBeLessThan(first);
    expect(r.stdout).toMatch(/seasonal naive \d+/);
    expect(r.parsed.checks[0]).toMatchObject({ metric: 'mae_ratio_to_seasonal_naive', target: 0.85 });
  });

  it('seq2seq: the loss falls; phoneme error rate against 0.25', () => {
    const r = shortRun('seq2seq', '--steps', '10', '--eval-words', '100');
    const [first, last] = losses(r.stdout, 'GRU\\+attention');
    expect(last).toBeLessThan(first);
    expect(r.stdout).toMatch(/\(CMUdict: [A-Z ]+\)/);
    expect(r.status).toBe(1);
  });

  it('adding-problem: every model trains; a 20-step budget fails (exit 1)', () => {
    const r = shortRun('adding-problem', '--steps', '20');
    for (const label of ['RNN', 'LSTM', 'GRU']) {
      const [first, last] = losses(r.stdout, label);
      expect(last).toBeLessThan(first);
    }
    expect(r.stdout).toMatch(/│ GRU\s+│ 20\s+│/);
    expect(r.status).toBe(1);
  });

  it('vanishing-gradients: a table for 6 runs and an SVG chart', () => {
    const r = shortRun('vanishing-gradients', '--steps', '10');
    for (const row of [
      'RNN at init',
      'RNN trained',
      'LSTM at init',
      'LSTM trained',
      'GRU at init',
      'GRU trained',
    ]) {
      expect(r.stdout).toContain(`│ ${row}`);
    }
    expect(r.parsed.checks.map((c) => c.metric)).toEqual(['lstm_gru_min_ratio_d99', 'rnn_ratio_d99']);
    expect(existsSync(join(out, 'vanishing-gradients.svg'))).toBe(true);
  });

  it('slow-training: fused and composed timed at T = 16 … 512, and an SVG chart', () => {
    const r = shortRun('slow-training', '--steps', '1', '--hidden', '8', '--batch', '4');
    for (const t of [16, 32, 64, 128, 256, 512])
      expect(r.stdout).toMatch(new RegExp(`│ ${t}\\s+│ [\\d.]+\\s+│ [\\d.]+`));
    expect(r.parsed.checks.map((c) => c.metric)).toEqual(['t512_over_t64', 'fused_min_speedup']);
    expect(existsSync(join(out, 'slow-training.svg'))).toBe(true);
  });
});

describe('pnpm example --help and the README snippet', () => {
  it('--help lists every example and the shared options, exit code 0', () => {
    for (const flag of ['--help', '-h']) {
      const r = runExample(flag);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      for (const name of ['seed-rnn', 'adding-problem', 'vanishing-gradients', 'readme-training'])
        expect(r.stdout).toContain(name);
      expect(r.stdout).toMatch(/--backend <name>\s+js, wasm, tfjs-cpu, tfjs-node/);
      expect(r.stdout).toContain('--steps <n>');
    }
  });

  it("the README's training loop is examples/readme-training.ts, and its loss falls", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const after = readme.slice(readme.indexOf("Training looks like PyTorch's loop"));
    const snippet = /```ts\n([\s\S]*?)\n```/.exec(after)![1]!;
    const file = readFileSync(join(root, 'examples/readme-training.ts'), 'utf8');
    const marked = file.slice(
      file.indexOf('// README\n') + '// README\n'.length,
      file.indexOf('// README end'),
    );
    expect(snippet.trim()).toBe(marked.trim());
    expect(snippet).toContain('of batches');
    const r = runExample('readme-training');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const losses = r.stdout.trim().split('\n').map(Number);
    expect(losses.length).toBe(120);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(0.5 * mean(losses.slice(0, 10)));
  });
});
