/**
 * The release plan's rules, as pure functions over what `changeset status --output` reports and what
 * the workspace holds, so they can be tested without running changesets.
 */

/** One workspace package as its `package.json` describes it. */
export interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  readonly private: boolean;
  /** The folder, relative to the repository root (`packages/core`). */
  readonly dir: string;
}

/** One entry of `changeset status --output`'s `releases`. */
export interface PlannedRelease {
  readonly name: string;
  readonly type: 'none' | 'patch' | 'minor' | 'major';
  readonly oldVersion: string;
  readonly newVersion: string;
}

/** The parts of `.changeset/config.json` the rules read. */
export interface ChangesetConfig {
  readonly fixed?: readonly (readonly string[])[];
  readonly privatePackages?: { readonly version?: boolean; readonly tag?: boolean };
}

/** What would be published, or why the plan is wrong. */
export interface PlanVerdict {
  readonly problems: readonly string[];
  /** Published packages and the version each would get (its current one when nothing bumps it). */
  readonly published: readonly { name: string; from: string; to: string }[];
}

/**
 * Checks a release plan: every published package (a non-private one under `packages/`) is in the one
 * `fixed` group and nothing else is; private packages are never versioned; all published packages move
 * to one version together; and a package that was never released (0.0.0) starts at 0.1.0 (not 0.0.1,
 * from patch changesets alone, nor 1.0.0, from a peer dependency's bump).
 */
export function checkPlan(
  workspace: readonly WorkspacePackage[],
  config: ChangesetConfig,
  releases: readonly PlannedRelease[],
): PlanVerdict {
  const problems: string[] = [];
  const publishable = workspace.filter((p) => !p.private && p.dir.startsWith('packages/'));
  const strays = workspace.filter((p) => !p.private && !p.dir.startsWith('packages/'));
  for (const p of strays) {
    problems.push(`${p.name} (${p.dir}) is not private but lives outside packages/: mark it "private": true`);
  }
  const groups = config.fixed ?? [];
  if (groups.length !== 1) {
    problems.push(`.changeset/config.json must have exactly one fixed group, found ${groups.length}`);
  }
  const group = new Set(groups[0] ?? []);
  for (const p of publishable) {
    if (!group.has(p.name)) problems.push(`${p.name} is published but missing from the fixed group`);
  }
  const publishableNames = new Set(publishable.map((p) => p.name));
  for (const name of group) {
    if (!publishableNames.has(name)) {
      problems.push(`the fixed group names ${name}, which is not a published package of this workspace`);
    }
  }
  if (config.privatePackages?.version !== false || config.privatePackages?.tag !== false) {
    problems.push('.changeset/config.json must set "privatePackages": { "version": false, "tag": false }');
  }
  const byName = new Map(releases.map((r) => [r.name, r]));
  for (const p of workspace.filter((w) => w.private)) {
    const r = byName.get(p.name);
    if (r !== undefined && r.type !== 'none' && r.newVersion !== r.oldVersion) {
      problems.push(`private package ${p.name} would be versioned ${r.oldVersion} → ${r.newVersion}`);
    }
  }
  const published = publishable.map((p) => {
    const r = byName.get(p.name);
    return { name: p.name, from: p.version, to: r?.newVersion ?? p.version };
  });
  const targets = new Set(published.map((p) => p.to));
  if (targets.size > 1) {
    problems.push(`published packages would get different versions: ${[...targets].join(', ')}`);
  }
  for (const p of published) {
    // 1.0.0 happens without anyone asking for it: changesets turns a bumped peer dependency into a major
    // bump of the dependent (see onlyUpdatePeerDependentsWhenOutOfRange in .changeset/config.json).
    if (p.from === '0.0.0' && p.to !== '0.0.0' && p.to !== '0.1.0') {
      problems.push(`${p.name} was never released and would start at ${p.to}: the first release is 0.1.0`);
    }
  }
  return { problems, published };
}
