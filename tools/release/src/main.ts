#!/usr/bin/env node
/**
 * `pnpm release:plan`: asks changesets what the pending changesets would publish and checks it against
 * the release rules (`plan.ts`) before anything is built or published. Exits 1 with every problem listed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChangesetConfig, checkPlan, type PlannedRelease, type WorkspacePackage } from './plan.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Every package of the workspace folders named in pnpm-workspace.yaml. */
function workspacePackages(): WorkspacePackage[] {
  const dirs = ['packages', 'apps', 'tools'].flatMap((top) =>
    readdirSync(join(root, top), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${top}/${d.name}`),
  );
  dirs.push('examples');
  return dirs
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .map((dir) => {
      const json = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        private?: boolean;
      };
      return { name: json.name, version: json.version, private: json.private === true, dir };
    });
}

function plannedReleases(): PlannedRelease[] {
  const dir = mkdtempSync(join(tmpdir(), 'recur-release-'));
  try {
    const out = join(dir, 'status.json');
    execFileSync('pnpm', ['exec', 'changeset', 'status', `--output=${out}`], { cwd: root, stdio: 'pipe' });
    return (JSON.parse(readFileSync(out, 'utf8')) as { releases: PlannedRelease[] }).releases;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const config = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8')) as ChangesetConfig;
const verdict = checkPlan(workspacePackages(), config, plannedReleases());
for (const p of verdict.published) console.log(`${p.name.padEnd(28)} ${p.from} → ${p.to}`);
if (verdict.problems.length > 0) {
  for (const problem of verdict.problems) console.error(`release plan: ${problem}`);
  process.exit(1);
}
console.log(`release plan: ${verdict.published.length} packages, one version, private packages untouched`);
