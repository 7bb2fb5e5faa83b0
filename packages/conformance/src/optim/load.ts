/** Finding and reading `recur-optim/1` files on disk (Node only). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listCaseFiles } from '../load-cases.js';
import { type LoadedOptimFile, loadedOptimFile } from './format.js';

/**
 * The committed optimizer fixtures: the copy packed into this package (`fixtures/optim`, what an
 * installed `@recur/conformance` has), else the repository's own (`fixtures/optim`, in a clone).
 */
export const committedOptimDir: string = (() => {
  const packed = fileURLToPath(new URL('../../fixtures/optim', import.meta.url));
  return existsSync(packed) ? packed : fileURLToPath(new URL('../../../../fixtures/optim', import.meta.url));
})();

/** Reads and parses every `recur-optim/1` file under the given files or directories. */
export function loadOptimFiles(paths: readonly string[]): LoadedOptimFile[] {
  return listCaseFiles(paths).map((file) => {
    try {
      return loadedOptimFile(file, JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      return { file, error: `${file}: ${(error as Error).message}` };
    }
  });
}
