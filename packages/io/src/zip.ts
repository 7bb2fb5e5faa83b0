/**
 * Zip archives of untrusted origin (torch.save checkpoints, Keras 3 `.keras` files), opened with fflate
 * (0.8, no dependencies, the same code in Node, browsers and workers) rather than a zip reader of our
 * own. fflate trusts the central directory, so its filter is used to look at every entry before
 * anything is extracted: the entry count is bounded by the file's size, only the entries the format
 * has are extracted, only stored or deflated ones, and their declared sizes are bounded by the file's
 * size (deflate bombs) before fflate allocates them. Each extracted entry is then checked to be exactly
 * its declared size (a truncated or lying archive gives a shorter one).
 */
import { unzipSync } from 'fflate';
import { WeightFileError } from './errors.js';

/** The smallest central-directory record (46 bytes plus a name), bounding how many entries a file can list. */
const CENTRAL_RECORD_BYTES = 46;
const compressionNames: Record<number, string> = { 12: 'bzip2', 14: 'LZMA', 93: 'zstd', 95: 'xz', 99: 'AES' };

/** True when `bytes` begin as a zip archive does (a local file header, `PK\x03\x04`). */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

/** How {@link readZipEntries} reads one format's archives. */
export interface ZipRules {
  /** Whether an entry is extracted (the others are skipped unread). */
  readonly wanted: (name: string) => boolean;
  /** Extracted entries may total at most this many times the file's size. */
  readonly maxExpansion: number;
  /** What the format stores its entries as, for the message refusing another compression. */
  readonly storedAs: string;
  /** The format's failure (throws a WeightFileError). */
  readonly fail: (message: string) => never;
  /** Sees every entry's name first (e.g. to recognise another kind of archive). */
  readonly seen?: (name: string) => void;
}

/** The wanted entries of a zip archive, by name, each checked against the size its directory declares. */
export function readZipEntries(bytes: Uint8Array, rules: ZipRules): Record<string, Uint8Array> {
  const { fail } = rules;
  const declared = new Map<string, number>();
  let entries = 0;
  let total = 0;
  const limit = bytes.length * rules.maxExpansion;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(file) {
        entries++;
        if (entries > bytes.length / CENTRAL_RECORD_BYTES) {
          fail(`the zip directory lists more entries than a ${bytes.length}-byte file can hold`);
        }
        rules.seen?.(file.name);
        if (!rules.wanted(file.name)) return false;
        if (declared.has(file.name)) fail(`the zip archive has two entries named ${file.name}`);
        if (file.compression !== 0 && file.compression !== 8) {
          const method = compressionNames[file.compression] ?? `method ${file.compression}`;
          fail(`zip entry ${file.name} is compressed with ${method}; ${rules.storedAs}`);
        }
        if (file.compression === 0 && file.size !== file.originalSize) {
          fail(
            `stored zip entry ${file.name} declares ${file.size} bytes and ${file.originalSize} uncompressed`,
          );
        }
        total += file.originalSize;
        if (file.originalSize > limit || total > limit) {
          fail(
            `zip entry ${file.name} declares ${file.originalSize} uncompressed bytes, past ${rules.maxExpansion}× ` +
              `the file's ${bytes.length} (a zip bomb or a corrupt directory)`,
          );
        }
        declared.set(file.name, file.originalSize);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof WeightFileError) throw error;
    return fail(`not a readable zip archive (${error instanceof Error ? error.message : String(error)})`);
  }
  const out: Record<string, Uint8Array> = {};
  for (const [name, size] of declared) {
    const got = Object.hasOwn(files, name) ? files[name]!.length : 0;
    if (got !== size)
      fail(`zip entry ${name} declares ${size} bytes but holds ${got} (truncated or corrupt archive)`);
    out[name] = files[name]!;
  }
  return out;
}
