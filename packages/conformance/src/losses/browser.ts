/**
 * The committed `recur-loss/1` files for the browser entry, inlined by Vite at build time. Two patterns:
 * the copy packed into this package and the repository's (in a clone); the missing one matches nothing.
 */
import { type LoadedLossFile, loadedLossFile } from './format.js';

const committed = import.meta.glob(['../../fixtures/losses/*.json', '../../../../fixtures/losses/*.json'], {
  eager: true,
  import: 'default',
});

/** The committed loss files, parsed, sorted by file as on disk. */
export function committedLossFiles(): LoadedLossFile[] {
  return Object.keys(committed)
    .sort()
    .map((file) => loadedLossFile(file, committed[file]));
}
