import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const runExample = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'examples/run.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

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
