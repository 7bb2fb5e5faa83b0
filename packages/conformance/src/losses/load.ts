/** Finding and reading `recur-loss/1` files on disk (Node only). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listCaseFiles } from '../load-cases.js';
import { type LoadedLossFile, loadedLossFile } from './format.js';

/**
 * The committed loss cases: the copy packed into this package (`fixtures/losses`, what an installed
 * `@recur/conformance` has), else the repository's own (`fixtures/losses` at its root, in a clone).
 */
export const committedLossesDir: string = (() => {
  const packed = fileURLToPath(new URL('../../fixtures/losses', import.meta.url));
  return existsSync(packed) ? packed : fileURLToPath(new URL('../../../../fixtures/losses', import.meta.url));
})();

/**
 * Reads and parses every `recur-loss/1` file under the given files or directories; a malformed file
 * becomes an entry with its error (naming the file and the field), never a crash.
 */
export function loadLossFiles(paths: readonly string[]): LoadedLossFile[] {
  return listCaseFiles(paths).map((file) => loadedLossFile(file, new Uint8Array(readFileSync(file))));
}
