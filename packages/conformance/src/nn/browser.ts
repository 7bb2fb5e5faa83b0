/**
 * The committed `recur-nn/1` files for the browser entry, inlined by Vite at build time. Two patterns:
 * the copy packed into this package and the repository's (in a clone); the missing one matches nothing.
 */
import { type LoadedNnFile, loadedNnFile } from './format.js';

const committed = import.meta.glob(['../../fixtures/nn/*.json', '../../../../fixtures/nn/*.json'], {
  eager: true,
  import: 'default',
});

/** The committed nn files, parsed, sorted by file as on disk. */
export function committedNnFiles(): LoadedNnFile[] {
  return Object.keys(committed)
    .sort()
    .map((file) => loadedNnFile(file, committed[file]));
}
