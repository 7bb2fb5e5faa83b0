// Copies the repository's PyTorch fixtures into this package before it is packed (prepack), so the suite
// works from node_modules: cases, weight-file cases and the weight files they name (kept side by side,
// so their relative "weights" paths still resolve), the training fixtures and the loss cases. `--clean` (postpack)
// removes the copy again: in a clone the suite must read the repository's fixtures, never a stale copy.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const to = fileURLToPath(new URL('../fixtures/', import.meta.url));
rmSync(to, { recursive: true, force: true });
if (process.argv.includes('--clean')) process.exit(0);
for (const dir of [
  'cases',
  'weight-cases',
  'weights',
  'onnx',
  'keras3',
  'training',
  'losses',
  'optim',
  'nn',
]) {
  if (!existsSync(from + dir)) throw new Error(`copy-fixtures: ${from}${dir} is missing`);
  cpSync(from + dir, to + dir, { recursive: true });
}
console.log(`copied the fixtures into ${to}`);
