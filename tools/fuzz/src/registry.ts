/**
 * The fuzz targets: every module in `targets/` whose default export is a {@link FuzzTarget}. Adding a
 * reader to the fuzzer is dropping one such file there; nothing else lists targets.
 */
import { readdirSync } from 'node:fs';
import type { FuzzTarget } from './target.js';

const targetsDir = new URL('./targets/', import.meta.url);

function isTarget(value: unknown): value is FuzzTarget {
  const t = value as FuzzTarget;
  return (
    t !== null &&
    typeof t === 'object' &&
    typeof t.name === 'string' &&
    typeof t.inputs === 'function' &&
    typeof t.read === 'function' &&
    typeof t.isOwnError === 'function'
  );
}

/** Every target, sorted by file name; a file without a valid default export is an error, not skipped. */
export async function loadTargets(): Promise<FuzzTarget[]> {
  const files = readdirSync(targetsDir)
    .filter((f) => /\.[cm]?[jt]s$/.test(f) && !/\.(test|d)\.[cm]?[jt]s$/.test(f))
    .sort();
  const targets: FuzzTarget[] = [];
  for (const file of files) {
    const { default: target } = (await import(new URL(file, targetsDir).href)) as { default?: unknown };
    if (!isTarget(target)) throw new Error(`fuzz target ${file}: the default export must be a FuzzTarget`);
    if (targets.some((t) => t.name === target.name)) {
      throw new Error(`fuzz target ${file}: the name "${target.name}" is taken`);
    }
    targets.push(target);
  }
  return targets;
}
