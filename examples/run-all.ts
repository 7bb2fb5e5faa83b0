/**
 * `pnpm examples [--backend NAME] [--seed N] [--out DIR]`: runs every example in full, one after
 * another (their output streams through), then prints a summary table of results and times. Exits 1
 * if any example fails, 2 on bad input (as reported by the first example).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { catalogue } from './lib/catalogue.js';
import { parseResultLine } from './lib/result.js';
import { renderTable } from './lib/table.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));

/** Runs one example, echoing its output, and returns its exit code and output. */
function run(name: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${dir}${name}.ts`, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const rows: string[][] = [];
let failed = 0;
for (const { name, shows } of catalogue) {
  console.log(`\n=== ${name} ===`);
  const { code, output } = await run(name);
  if (code === 2) process.exit(2);
  const lines = output.trim().split('\n');
  const result = lines.map(parseResultLine).find((r) => r !== undefined);
  const time = /^time: (\S+) s$/m.exec(output)?.[1];
  const verdict = code === 0 && result?.pass ? 'PASS' : 'FAIL';
  if (verdict === 'FAIL') failed++;
  // The checks exactly as the example printed them, without the verdict.
  const resultText = lines.find((l) => l.startsWith('result: '));
  const summary = resultText
    ? resultText.replace(/^result: /, '').replace(/ (PASS|FAIL)$/, '')
    : `exit code ${code}, no result line`;
  rows.push([name, shows, summary, time === undefined ? '-' : `${time} s`, verdict]);
}
console.log(`\n${renderTable(['example', 'shows', 'result (target)', 'time', 'verdict'], rows)}`);
console.log(`${catalogue.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
