/**
 * `recur-conformance --backend-module`: a user's own backend module, in each accepted shape, and the
 * one-line usage errors (exit 2) for modules that give no backend; built-ins that cannot load here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBackend, moduleUrl } from './backends.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'packages/conformance/src/cli/bin.ts'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    },
  );

const dir = mkdtempSync(join(tmpdir(), 'recur-backend-module-'));
const minimal = pathToFileURL(join(root, 'examples/backend-minimal/src/index.ts')).href;
const write = (name: string, source: string) => {
  writeFileSync(join(dir, name), source);
  return join(dir, name);
};
// Every shape the command line accepts: a default-exported async factory, and a named
// `createBackend` returning a backend without a name (reported under the file's base name).
const asyncDefault = write(
  'async-default.mjs',
  `export default async () => (await import(${JSON.stringify(minimal)})).createMinimalBackend();\n`,
);
const namedNoName = write(
  'my-backend.mjs',
  `import { createMinimalBackend } from ${JSON.stringify(minimal)};\n` +
    'export function createBackend() { return { ...createMinimalBackend(), name: undefined }; }\n',
);
const noExport = write('no-export.mjs', 'export const answer = 42;\n');
const notABackend = write('not-a-backend.mjs', "export default { name: 'half', dtypes: ['float32'] };\n");
const throws = write('throws.mjs', "export default () => { throw new Error('no GPU here'); };\n");
const oneCase = join(root, 'fixtures/cases/gru-l2-bi-n2-t4-i3h4.json');

describe('recur-conformance --backend-module', () => {
  it('runs the backend a module exports (any accepted shape), beside a built-in, in one report', () => {
    const report = join(dir, 'report.json');
    const r = cli([
      '--cases',
      oneCase,
      '--backend',
      'js',
      '--backend-module',
      asyncDefault,
      '--backend-module',
      namedNoName,
      '--no-timing',
      '--json',
      report,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.backends).toEqual([
      { name: 'js', status: 'ok' },
      { name: 'minimal', status: 'ok' },
      { name: 'my-backend', status: 'ok' },
    ]);
    expect(json.results.map((x: { backend: string; status: string }) => `${x.backend} ${x.status}`)).toEqual([
      'js pass',
      'minimal pass',
      'my-backend pass',
    ]);
    expect(r.stdout).toMatch(/conformance: 3 passed, 0 failed, 0 backend\(s\) unavailable/);
  });

  it('refuses a module that gives no backend with one line and exit code 2', () => {
    for (const [module, message] of [
      [noExport, /no backend export \(expected a default export or a named export createBackend/],
      [notABackend, /not a Recur backend \(missing fromData, read, matMul, .*liveTensors\)/],
      [throws, /its factory threw: no GPU here/],
      [join(dir, 'nowhere.js'), /cannot import it: /],
      ['@recur/no-such-backend', /cannot import it: /],
    ] as const) {
      const r = cli(['--cases', oneCase, '--backend-module', module]);
      expect(r.status, String(module)).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), String(module)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses an unknown built-in name with exit code 2', () => {
    const r = cli(['--cases', oneCase, '--backend', 'js,cuda']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /unknown backend "cuda" \(expected one of js, tfjs-cpu, wasm, tfjs-node, webgl\)/,
    );
  });

  it('lists webgl as unavailable, saying what to install, when there is no Chromium', () => {
    const r = cli(['--cases', oneCase, '--backend', 'js,webgl', '--no-timing'], {
      RECUR_CHROMIUM: join(dir, 'no-chromium'),
      PLAYWRIGHT_BROWSERS_PATH: join(dir, 'no-browsers'),
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /backend webgl: unavailable \(no Chromium at \S+no-chromium \(apt-get install chromium, or npx playwright-core install chromium, or set RECUR_CHROMIUM/,
    );
  });
});

describe('built-in backends', () => {
  it('says which package to install when a built-in backend package is missing', async () => {
    const table = { wasm: { package: '@recur/backend-not-installed', factory: 'createWasmBackend' } };
    expect(await loadBackend('wasm', table)).toEqual({
      name: 'wasm',
      unavailable: 'install @recur/backend-not-installed',
    });
  });

  it('resolves paths against the current directory and leaves package names to the resolver', () => {
    expect(moduleUrl('./my-backend.js', '/work/project')).toBe('file:///work/project/my-backend.js');
    expect(moduleUrl('dist/backend.mjs', '/work/project')).toBe('file:///work/project/dist/backend.mjs');
    expect(moduleUrl('/abs/backend.js', '/work/project')).toBe('file:///abs/backend.js');
    expect(moduleUrl('my-recur-backend', '/work/project')).toBe('my-recur-backend');
    expect(moduleUrl('@me/recur-backend', '/work/project')).toBe('@me/recur-backend');
  });
});
