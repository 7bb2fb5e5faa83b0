/** Finding and reading `recur-nn/1` files on disk (Node only). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listCaseFiles } from '../load-cases.js';
import { type LoadedNnFile, loadedNnFile } from './format.js';

/**
 * The committed module and sequence cases: the copy packed into this package (`fixtures/nn`, what an
 * installed `@recur/conformance` has), else the repository's own (`fixtures/nn` at its root, in a clone).
 */
export const committedNnDir: string = (() => {
  const packed = fileURLToPath(new URL('../../fixtures/nn', import.meta.url));
  return existsSync(packed) ? packed : fileURLToPath(new URL('../../../../fixtures/nn', import.meta.url));
})();

/** Reads every `recur-nn/1` file under the given files or directories; a malformed one becomes an error entry. */
export function loadNnFiles(paths: readonly string[]): LoadedNnFile[] {
  return listCaseFiles(paths).map((file) => loadedNnFile(file, new Uint8Array(readFileSync(file))));
}
