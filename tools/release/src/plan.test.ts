import { describe, expect, it } from 'vitest';
import { type ChangesetConfig, checkPlan, type PlannedRelease, type WorkspacePackage } from './plan.js';

const workspace: WorkspacePackage[] = [
  { name: '@recur/core', version: '0.0.0', private: false, dir: 'packages/core' },
  { name: '@recur/io', version: '0.0.0', private: false, dir: 'packages/io' },
  { name: '@recur/demo', version: '0.1.0', private: true, dir: 'apps/demo' },
];
const config: ChangesetConfig = {
  fixed: [['@recur/core', '@recur/io']],
  privatePackages: { version: false, tag: false },
};
const release = (name: string, type: PlannedRelease['type'], oldVersion: string, newVersion: string) => ({
  name,
  type,
  oldVersion,
  newVersion,
});

describe('checkPlan', () => {
  it('accepts one fixed group moving to one version with private packages untouched', () => {
    const verdict = checkPlan(workspace, config, [
      release('@recur/core', 'minor', '0.0.0', '0.1.0'),
      release('@recur/io', 'minor', '0.0.0', '0.1.0'),
      release('@recur/demo', 'none', '0.1.0', '0.1.0'),
    ]);
    expect(verdict.problems).toEqual([]);
    expect(verdict.published.map((p) => p.to)).toEqual(['0.1.0', '0.1.0']);
  });

  it('refuses a versioned private package, a published package outside the group, and split versions', () => {
    const verdict = checkPlan(workspace, { ...config, fixed: [['@recur/core', '@recur/gone']] }, [
      release('@recur/core', 'minor', '0.0.0', '0.1.0'),
      release('@recur/io', 'patch', '0.0.0', '0.0.1'),
      release('@recur/demo', 'minor', '0.1.0', '0.2.0'),
    ]);
    expect(verdict.problems).toEqual([
      '@recur/io is published but missing from the fixed group',
      'the fixed group names @recur/gone, which is not a published package of this workspace',
      'private package @recur/demo would be versioned 0.1.0 → 0.2.0',
      'published packages would get different versions: 0.1.0, 0.0.1',
      '@recur/io was never released and would start at 0.0.1: the first release is 0.1.0',
    ]);
  });

  it('refuses a first release at 1.0.0 (a peer bump turned into a major one)', () => {
    const verdict = checkPlan(workspace, config, [
      release('@recur/core', 'major', '0.0.0', '1.0.0'),
      release('@recur/io', 'major', '0.0.0', '1.0.0'),
    ]);
    expect(verdict.problems).toEqual([
      '@recur/core was never released and would start at 1.0.0: the first release is 0.1.0',
      '@recur/io was never released and would start at 1.0.0: the first release is 0.1.0',
    ]);
  });

  it('refuses a config that versions private packages and a public package outside packages/', () => {
    const verdict = checkPlan(
      [...workspace, { name: '@recur/bench', version: '0.1.0', private: false, dir: 'tools/bench' }],
      { fixed: config.fixed },
      [],
    );
    expect(verdict.problems).toEqual([
      '@recur/bench (tools/bench) is not private but lives outside packages/: mark it "private": true',
      '.changeset/config.json must set "privatePackages": { "version": false, "tag": false }',
    ]);
  });
});
