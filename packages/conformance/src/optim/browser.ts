/**
 * The committed `recur-optim/1` files for the browser entry, inlined by Vite at build time: the copy
 * packed into this package and the repository's (in a clone); the missing one matches nothing.
 */
import { type LoadedOptimFile, loadedOptimFile } from './format.js';

const committed = import.meta.glob(['../../fixtures/optim/*.json', '../../../../fixtures/optim/*.json'], {
  eager: true,
  import: 'default',
});

/** The committed optimizer files, parsed, sorted by file. */
export function committedOptimFiles(): LoadedOptimFile[] {
  return Object.keys(committed)
    .sort()
    .map((file) => loadedOptimFile(file, committed[file]));
}
