/**
 * `pnpm pack-check`: the published packages as a user gets them.
 *
 * 1. Packs every non-private package under `packages/` with `pnpm pack` (its `prepack` builds it;
 *    `@recur/conformance`'s also copies the fixtures in), in dependency order, into a temp folder.
 * 2. Lints each tarball with publint (`strict`) and arethetypeswrong (profile `esm-only`).
 * 3. Installs all tarballs with plain `npm` (no workspace links) into a scratch project outside the
 *    repository, then: trains an LSTM 3 steps on each Node backend and compares the losses; type-checks
 *    a strict TypeScript consumer importing every public entry point (moduleResolution node16 and
 *    bundler); bundles a browser entry (`@recur/core` + `@recur/backend-js`) with esbuild and checks the
 *    gzip size against the budget; runs the installed `recur` and `recur-conformance` command lines.
 * 4. Prints one line per check and exits non-zero when any failed.
 *
 * `--keep` keeps the temp folder (its path is printed); `--only-lint` stops after step 2.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { browserEntry, consumerSource, trainScript, tsconfigFor } from './scratch.js';

/** The issue's budget for `@recur/core` + `@recur/backend-js` in a browser, minified and gzipped. */
const GZIP_BUDGET_BYTES = 40 * 1024;
/** Cross-backend agreement of the 3 training losses. */
const LOSS_RTOL = 1e-4;
/** The tfjs version range the engine packages take as peers. */
const TFJS = '^4.22.0';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const toolDir = fileURLToPath(new URL('../', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const attw = join(toolDir, 'node_modules/@arethetypeswrong/cli/dist/index.js');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  bin?: string | Record<string, string>;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Workspace {
  dir: string;
  manifest: Manifest;
}

interface Packed extends Workspace {
  tarball: string;
  /** The `package.json` inside the tarball (workspace ranges replaced). */
  packed: Manifest;
}

type Status = 'ok' | 'FAIL' | 'skipped';
const results: { check: string; status: Status; detail: string }[] = [];

function report(check: string, status: Status, detail = ''): void {
  results.push({ check, status, detail });
  console.log(`${status.padEnd(7)} ${check}${detail ? `: ${detail}` : ''}`);
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never rejects (the exit code says how it went). */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = { cwd: repo },
): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: -1, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

/** The last `lines` lines of a command's output, for a failure message. */
function tail(result: RunResult, lines = 25): string {
  return `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join('\n');
}

/**
 * The environment for `npm` and the installed tools: the caller's, without what pnpm sets for its
 * scripts (`npm_config_*`, `npm_package_*`, …), so the scratch install is a plain `npm install`.
 */
function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_)/i.test(key)) continue;
    env[key] = value;
  }
  env.ONNXRUNTIME_NODE_INSTALL = 'skip';
  env.NO_COLOR = '1';
  return env;
}

async function seconds<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    console.log(`        (${label}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

/**
 * Every non-private package under `packages/`, in build waves: each package comes in a later wave than
 * everything its build reads (dependencies and peers; devDependencies are for tests, which the build
 * excludes, and may point back at the package). The packages of one wave are packed in parallel.
 */
async function publishedPackages(): Promise<Workspace[][]> {
  const dirs = (await readdir(join(repo, 'packages'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && existsSync(join(repo, 'packages', entry.name, 'package.json')))
    .map((entry) => join(repo, 'packages', entry.name));
  const all: Workspace[] = [];
  for (const dir of dirs) {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
    if (!manifest.private) all.push({ dir, manifest });
  }
  const byName = new Map(all.map((w) => [w.manifest.name, w]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (w: Workspace): number => {
    const name = w.manifest.name;
    const known = level.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new Error(`pack-check: dependency cycle through ${name}`);
    visiting.add(name);
    let d = 0;
    for (const dep of Object.keys({ ...w.manifest.dependencies, ...w.manifest.peerDependencies })) {
      const target = byName.get(dep);
      if (target) d = Math.max(d, depth(target) + 1);
    }
    visiting.delete(name);
    level.set(name, d);
    return d;
  };
  const waves: Workspace[][] = [];
  for (const w of all) {
    const d = depth(w);
    waves[d] ??= [];
    waves[d].push(w);
  }
  return waves.filter((wave) => wave.length > 0);
}

/** `package/package.json` read out of a tarball. */
async function packedManifest(tarball: string): Promise<Manifest> {
  const result = await run('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: repo });
  if (result.code !== 0) throw new Error(`cannot read package.json from ${tarball}: ${tail(result)}`);
  return JSON.parse(result.stdout) as Manifest;
}

/** Packs one package into `into` (its `prepack` and `postpack` run). */
async function packOne(w: Workspace, into: string): Promise<Packed | null> {
  const started = performance.now();
  const result = await run('pnpm', ['pack', '--pack-destination', into], { cwd: w.dir, timeoutMs: 240_000 });
  const file = `${w.manifest.name.replace(/^@/, '').replace('/', '-')}-${w.manifest.version}.tgz`;
  const tarball = join(into, file);
  if (result.code !== 0 || !existsSync(tarball)) {
    report(`pack ${w.manifest.name}`, 'FAIL', tail(result));
    return null;
  }
  const packed = await packedManifest(tarball);
  report(`pack ${w.manifest.name}`, 'ok', `${file} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  return { ...w, tarball, packed };
}

/** Packs the waves in order, and starts linting each tarball as soon as it exists. */
async function packAll(waves: Workspace[][], into: string, lints: Promise<unknown>[]): Promise<Packed[]> {
  const packed: Packed[] = [];
  for (const wave of waves) {
    for (const p of await Promise.all(wave.map((w) => packOne(w, into)))) {
      if (!p) continue;
      packed.push(p);
      lints.push(lintPublint(p), lintAttw(p));
    }
  }
  return packed;
}

async function lintPublint(p: Packed): Promise<void> {
  const data = await readFile(p.tarball);
  const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const { messages, pkg } = await publint({ pack: { tarball }, strict: true, level: 'suggestion' });
  if (messages.length === 0) {
    report(`publint ${p.manifest.name}`, 'ok');
    return;
  }
  const lines = messages.map((m) => `  [${m.type}] ${formatMessage(m, pkg) ?? m.code}`);
  report(`publint ${p.manifest.name}`, 'FAIL', `\n${lines.join('\n')}`);
}

async function lintAttw(p: Packed): Promise<void> {
  // Every package is ESM-only by design (`"type": "module"`, exports with `import` conditions only), so
  // the `esm-only` profile: it leaves out the node10 and node16-from-CommonJS resolutions, where an
  // ESM-only package cannot resolve by definition. Every other rule applies.
  const result = await run(
    process.execPath,
    [attw, p.tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'],
    { cwd: repo, env: plainEnv() },
  );
  // attw exits 0 for a package without any types ("This package does not contain types"): every
  // Recur package ships declarations, so that is a failure here.
  if (result.code === 0 && /does not contain types/.test(result.stdout)) {
    report(`attw ${p.manifest.name}`, 'FAIL', 'the package contains no types');
  } else if (result.code === 0) report(`attw ${p.manifest.name}`, 'ok');
  else report(`attw ${p.manifest.name}`, 'FAIL', `\n${tail(result, 40)}`);
}

/**
 * Backends never depend on each other: a kernel two backends share gets a package of its own (as
 * `@recur/gemm`). The shared tfjs adapter, `@recur/backend-tfjs`, is the one backend-named package the
 * tfjs engines may depend on.
 */
function checkBackendsIndependent(packed: Packed[]): void {
  const offenders: string[] = [];
  for (const p of packed) {
    if (!p.packed.name.startsWith('@recur/backend-')) continue;
    const m = p.packed as Manifest & { optionalDependencies?: Record<string, string> };
    const needs = { ...m.dependencies, ...m.peerDependencies, ...m.optionalDependencies };
    for (const dep of Object.keys(needs)) {
      if (dep.startsWith('@recur/backend-') && dep !== '@recur/backend-tfjs')
        offenders.push(`${m.name} → ${dep}`);
    }
  }
  report(
    'backends independent (packed manifests)',
    offenders.length === 0 ? 'ok' : 'FAIL',
    offenders.length === 0 ? 'no backend depends on another' : offenders.join(', '),
  );
}

/** The public entry points of a packed package, as import specifiers. */
function entryPoints(m: Manifest): string[] {
  const subpaths = m.exports ? Object.keys(m.exports) : ['.'];
  return subpaths
    .filter((s) => !s.includes('*') && s !== './package.json')
    .map((s) => (s === '.' ? m.name : `${m.name}/${s.slice(2)}`));
}

function hasBin(m: Manifest, name: string): boolean {
  if (!m.bin) return false;
  if (typeof m.bin === 'string') return m.name.split('/').pop() === name;
  return name in m.bin;
}

const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--loglevel=error'];

/**
 * The scratch project before Recur: an app that already has TensorFlow.js (what the engine packages'
 * READMEs tell users to install beside them, their peers), `@types/node` for the TypeScript consumer,
 * and the optional peers of `@recur/conformance`'s entry points (`vitest`, `playwright-core`) so the
 * consumer can import all of them. Runs while the packages are packed: it is mostly download.
 */
async function installApp(scratch: string): Promise<RunResult> {
  await writeFile(
    join(scratch, 'package.json'),
    `${JSON.stringify({ name: 'recur-pack-check-scratch', private: true, type: 'module' }, null, 2)}\n`,
  );
  const args = [
    ...NPM_INSTALL,
    `@tensorflow/tfjs-core@${TFJS}`,
    `@tensorflow/tfjs-backend-cpu@${TFJS}`,
    `@tensorflow/tfjs-backend-wasm@${TFJS}`,
    `@tensorflow/tfjs-backend-webgl@${TFJS}`,
    '@types/node@^20',
    'vitest@^3.2.0',
    'playwright-core@^1.40.0',
  ];
  return seconds('npm install (the app, with tfjs)', () =>
    run('npm', args, { cwd: scratch, env: plainEnv(), timeoutMs: 300_000 }),
  );
}

/** Adds every tarball to the app; then the app must still have one `@tensorflow/tfjs-core`. */
async function installScratch(app: Promise<RunResult>, packed: Packed[], scratch: string): Promise<boolean> {
  const appResult = await app;
  if (appResult.code !== 0) {
    report('npm install (the app, with tfjs)', 'FAIL', tail(appResult));
    return false;
  }
  const result = await seconds('npm install (the tarballs)', () =>
    run('npm', [...NPM_INSTALL, ...packed.map((p) => p.tarball)], {
      cwd: scratch,
      env: plainEnv(),
      timeoutMs: 300_000,
    }),
  );
  if (result.code !== 0) {
    report('npm install (tarballs, plain npm)', 'FAIL', tail(result));
    return false;
  }
  const tfjsCores = await run('npm', ['ls', '--all', '--parseable', '@tensorflow/tfjs-core'], {
    cwd: scratch,
    env: plainEnv(),
  });
  const copies = new Set(
    tfjsCores.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.endsWith('tfjs-core')),
  );
  if (copies.size !== 1) {
    report(
      'npm install (tarballs, plain npm)',
      'FAIL',
      `${copies.size} copies of @tensorflow/tfjs-core: ${[...copies].join(', ')}`,
    );
    return false;
  }
  const node = existsSync(join(scratch, 'node_modules/@tensorflow/tfjs-node/package.json'))
    ? 'tfjs-node installed'
    : 'tfjs-node (optional) not installed';
  report(
    'npm install (tarballs, plain npm)',
    'ok',
    `${packed.length} tarballs added to an app that has tfjs, still one @tensorflow/tfjs-core; ${node}`,
  );
  return true;
}

interface TrainOutput {
  losses: Record<string, number[]>;
  skipped: Record<string, string>;
}

async function checkTraining(scratch: string): Promise<void> {
  await writeFile(join(scratch, 'train.mjs'), trainScript);
  const result = await seconds('training', () =>
    run(process.execPath, ['train.mjs'], { cwd: scratch, env: plainEnv(), timeoutMs: 180_000 }),
  );
  const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (result.code !== 0 || !line) {
    report('train LSTM 3 steps on each Node backend', 'FAIL', tail(result));
    return;
  }
  const out = JSON.parse(line.slice('RESULT '.length)) as TrainOutput;
  for (const [backend, reason] of Object.entries(out.skipped))
    report(`train on ${backend}`, 'skipped', reason);
  const reference = out.losses.js;
  if (!reference) {
    report('train LSTM 3 steps on each Node backend', 'FAIL', 'no losses from js');
    return;
  }
  for (const [backend, losses] of Object.entries(out.losses)) {
    const shown = losses.map((l) => l.toPrecision(7)).join(', ');
    const worst = Math.max(
      ...losses.map((l, i) => Math.abs(l - reference[i]) / Math.max(Math.abs(reference[i]), 1e-12)),
    );
    const finite = losses.length === 3 && losses.every(Number.isFinite);
    const learns = losses[2] < losses[0];
    const ok = finite && learns && worst <= LOSS_RTOL;
    report(
      `train on ${backend}`,
      ok ? 'ok' : 'FAIL',
      `losses ${shown}; max relative difference from js ${worst.toExponential(1)} (≤ ${LOSS_RTOL})${learns ? '' : '; loss did not fall'}`,
    );
  }
}

async function checkTypes(packed: Packed[], scratch: string): Promise<void> {
  const specifiers = packed.flatMap((p) => entryPoints(p.packed));
  await writeFile(join(scratch, 'consumer.ts'), consumerSource(specifiers));
  await Promise.all(
    (['node16', 'bundler'] as const).map(async (resolution) => {
      const config = `tsconfig.${resolution}.json`;
      await writeFile(join(scratch, config), tsconfigFor(resolution));
      const result = await run(process.execPath, [tsc, '-p', config], { cwd: scratch, env: plainEnv() });
      report(
        `tsc strict consumer (moduleResolution ${resolution})`,
        result.code === 0 ? 'ok' : 'FAIL',
        result.code === 0 ? `${specifiers.length} entry points` : `\n${tail(result, 40)}`,
      );
    }),
  );
}

async function checkBundle(scratch: string): Promise<void> {
  await writeFile(join(scratch, 'browser.mjs'), browserEntry);
  try {
    const result = await build({
      absWorkingDir: scratch,
      entryPoints: ['browser.mjs'],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    const gzip = gzipSync(code, { level: 9 }).length;
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    report(
      'browser bundle @recur/core + @recur/backend-js (esbuild, minified)',
      gzip <= GZIP_BUDGET_BYTES ? 'ok' : 'FAIL',
      `${kb(code.length)} raw, ${kb(gzip)} gzip (budget ${kb(GZIP_BUDGET_BYTES)} gzip)`,
    );
  } catch (error) {
    report('browser bundle @recur/core + @recur/backend-js (esbuild, minified)', 'FAIL', String(error));
  }
}

async function checkBins(packed: Packed[], scratch: string): Promise<void> {
  const env = plainEnv();
  const recur = await run('npx', ['--no-install', 'recur', '--help'], {
    cwd: scratch,
    env,
    timeoutMs: 60_000,
  });
  const recurOk = recur.code === 0 && /recur/i.test(recur.stdout);
  report(
    'npx recur --help',
    recurOk ? 'ok' : 'FAIL',
    recurOk ? recur.stdout.trim().split('\n')[0] : tail(recur),
  );

  const conformance = packed.find((p) => p.manifest.name === '@recur/conformance');
  if (!conformance || !hasBin(conformance.packed, 'recur-conformance')) {
    // The conformance kit is the point of @recur/conformance: a tarball without its bin is broken.
    report(
      'npx recur-conformance --backend js --no-timing',
      'FAIL',
      'the packed @recur/conformance has no recur-conformance bin',
    );
    return;
  }
  const result = await seconds('recur-conformance', () =>
    run('npx', ['--no-install', 'recur-conformance', '--backend', 'js', '--no-timing'], {
      cwd: scratch,
      env,
      timeoutMs: 240_000,
    }),
  );
  const summary = `${result.stdout}`
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-1)[0];
  report(
    'npx recur-conformance --backend js --no-timing',
    result.code === 0 ? 'ok' : 'FAIL',
    result.code === 0 ? (summary ?? '') : tail(result, 30),
  );
}

async function main(argv: string[]): Promise<number> {
  const keep = argv.includes('--keep');
  const onlyLint = argv.includes('--only-lint');
  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), 'recur-pack-check-'));
  const tarballs = join(work, 'tarballs');
  const scratch = join(work, 'scratch');
  await mkdir(tarballs);
  await mkdir(scratch);
  console.log(`pack-check: working in ${work}`);
  let failed = false;
  try {
    const waves = await publishedPackages();
    const app = onlyLint ? null : installApp(scratch);
    const lints: Promise<unknown>[] = [];
    const packed = await seconds('pack', () => packAll(waves, tarballs, lints));
    checkBackendsIndependent(packed);
    const scratchChecks = async () => {
      if (!app || !(await installScratch(app, packed, scratch))) return;
      await checkTraining(scratch);
      await Promise.all([seconds('tsc', () => checkTypes(packed, scratch)), checkBundle(scratch)]);
      await checkBins(packed, scratch);
    };
    await Promise.all([seconds('lint (after packing)', () => Promise.all(lints)), scratchChecks()]);
  } catch (error) {
    report('pack-check', 'FAIL', error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    failed = results.some((r) => r.status === 'FAIL');
    if (keep || failed) console.log(`pack-check: kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  const elapsed = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`pack-check: took ${elapsed} s`);
  console.log(`pack-check: ${count('ok')} passed, ${count('FAIL')} failed, ${count('skipped')} skipped`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
