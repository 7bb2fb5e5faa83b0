/**
 * `pnpm example <name> [args…]`: runs `examples/<name>.ts`. `pnpm example` alone, `--help` or `-h`
 * list the examples (with what each shows) and the options every example takes, exit code 0. An
 * unknown name gets a one-line error listing the examples, and exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backendNames } from './lib/backends.js';
import { catalogue } from './lib/catalogue.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const runners = new Set(['run.ts', 'run-all.ts']);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !runners.has(f))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

/** What `pnpm example --help` prints. */
function usage(): string {
  const shows = new Map(catalogue.map((e) => [e.name, e.shows]));
  const width = Math.max(...available.map((n) => n.length));
  return [
    'usage: pnpm example <name> [options]      (pnpm examples: every example in full, then a summary)',
    '',
    'examples:',
    ...available.map((n) => `  ${n.padEnd(width)}  ${shows.get(n) ?? descriptions[n] ?? ''}`.trimEnd()),
    '',
    'options every example with a result line takes:',
    `  --backend <name>  ${backendNames.join(', ')} (default js)`,
    '  --seed <n>        seed for initialisation, shuffling and the train/test split (default 1)',
    '  --steps <n>       training budget in steps (default: the setting that meets the target)',
    '  --out <dir>       directory for written files such as charts (default examples/dist)',
    '',
    'pnpm example <name> --help lists that example’s own options too.',
  ].join('\n');
}

/** One line about the examples outside the catalogue (no result line). */
const descriptions: Record<string, string> = {
  'seed-rnn': 'the smallest run: an RNN on a seeded random batch, printing the output shapes',
  'readme-training': 'the README’s training snippet, runnable: an LSTM regressor trained with Adam',
};

const [name, ...args] = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage());
  process.exit(0);
}
if (!available.includes(name)) {
  console.error(
    `${name === undefined ? 'no example named' : `unknown example "${name}"`}; available: ${available.join(', ')}`,
  );
  process.exit(2);
}
// Run in a child so each example starts from a clean process (its own default backend and seed).
const result = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${name}.ts`, ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
