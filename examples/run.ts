/**
 * `pnpm example <name> [args…]`: runs `examples/<name>.ts`. An unknown name gets a one-line error
 * listing the examples, and exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const runners = new Set(['run.ts', 'run-all.ts']);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !runners.has(f))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const [name, ...args] = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
if (name === undefined || !available.includes(name)) {
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
