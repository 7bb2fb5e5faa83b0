/**
 * The zip layout of `torch.save` (torch ≥ 1.6): one folder `<archive>/` holding `data.pkl` (the pickle),
 * `data/<key>` (each storage's raw bytes), `version`, and on newer torch `byteorder` (`little` or `big`).
 *
 * The archive is opened with fflate (0.8, no dependencies, the same code in Node, browsers and workers)
 * rather than a zip reader of our own. fflate trusts the central directory, so its filter is used to look
 * at every entry before anything is extracted: the entry count is bounded by the file's size, only the
 * entries a checkpoint has are extracted, only stored or deflated ones, and their declared sizes are
 * bounded by the file's size (deflate bombs) before fflate allocates them. Each extracted entry is then
 * checked to be exactly its declared size (a truncated or lying archive gives a shorter one).
 */
import { unzipSync } from 'fflate';
import { WeightFileError } from '../errors.js';
import { fail } from './fail.js';

/** What a zip checkpoint holds: its pickle and storages by key. */
export interface TorchArchive {
  /** The archive's folder name (`<archive>/data.pkl`). */
  readonly folder: string;
  /** The bytes of `data.pkl`. */
  readonly pickle: Uint8Array;
  /** The bytes of `data/<key>`, or undefined when the archive has no such entry. */
  storage(key: string): Uint8Array | undefined;
}

/** Extracted entries may total at most this many times the file's size (torch stores them uncompressed). */
export const MAX_EXPANSION = 8;
/** The smallest central-directory record (46 bytes plus a name), bounding how many entries a file can list. */
const CENTRAL_RECORD_BYTES = 46;
/** `<archive>/data.pkl`, `<archive>/byteorder`, `<archive>/data/<key>`: the entries read. */
const wanted = /^([^/]+)\/(data\.pkl|byteorder|data\/[^/]+)$/;
const compressionNames: Record<number, string> = { 12: 'bzip2', 14: 'LZMA', 93: 'zstd', 95: 'xz', 99: 'AES' };

/** True when `bytes` begin as a zip archive does (a local file header, `PK\x03\x04`). */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

/** Opens a zip checkpoint: checks every entry's size before extraction, and the byte order. */
export function readArchive(bytes: Uint8Array): TorchArchive {
  const declared = new Map<string, number>();
  const folders = new Set<string>();
  let entries = 0;
  let total = 0;
  let torchScript = false;
  const limit = bytes.length * MAX_EXPANSION;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(file) {
        entries++;
        if (entries > bytes.length / CENTRAL_RECORD_BYTES) {
          fail(`the zip directory lists more entries than a ${bytes.length}-byte file can hold`);
        }
        if (/^[^/]+\/(constants\.pkl|code\/)/.test(file.name)) torchScript = true;
        const match = wanted.exec(file.name);
        if (match === null) return false;
        if (declared.has(file.name)) fail(`the zip archive has two entries named ${file.name}`);
        folders.add(match[1]!);
        if (file.compression !== 0 && file.compression !== 8) {
          const method = compressionNames[file.compression] ?? `method ${file.compression}`;
          fail(`zip entry ${file.name} is compressed with ${method}; torch stores entries uncompressed`);
        }
        if (file.compression === 0 && file.size !== file.originalSize) {
          fail(
            `stored zip entry ${file.name} declares ${file.size} bytes and ${file.originalSize} uncompressed`,
          );
        }
        total += file.originalSize;
        if (file.originalSize > limit || total > limit) {
          fail(
            `zip entry ${file.name} declares ${file.originalSize} uncompressed bytes, past ${MAX_EXPANSION}× ` +
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
  if (torchScript) {
    fail(
      'this is a TorchScript archive (torch.jit.save), not torch.save of a state dict; save model.state_dict()',
    );
  }
  if (folders.size !== 1) {
    fail(
      folders.size === 0
        ? 'the zip archive has no <archive>/data.pkl: not a torch.save checkpoint'
        : `the zip archive has entries in ${folders.size} folders (${[...folders].slice(0, 3).join(', ')}); torch.save writes one`,
    );
  }
  const folder = [...folders][0]!;
  for (const [name, size] of declared) {
    const got = Object.hasOwn(files, name) ? files[name]!.length : 0;
    if (got !== size)
      fail(`zip entry ${name} declares ${size} bytes but holds ${got} (truncated or corrupt archive)`);
  }
  const entry = (name: string) => (Object.hasOwn(files, name) ? files[name] : undefined);
  const pickle = entry(`${folder}/data.pkl`);
  if (pickle === undefined) fail(`the zip archive has no ${folder}/data.pkl: not a torch.save checkpoint`);
  checkByteOrder(entry(`${folder}/byteorder`), folder);
  return { folder, pickle: pickle!, storage: (key) => entry(`${folder}/data/${key}`) };
}

/** torch writes storages in the saving machine's byte order and says which in `byteorder` (absent: little). */
function checkByteOrder(record: Uint8Array | undefined, folder: string): void {
  if (record === undefined) return;
  const text = String.fromCharCode(...record.subarray(0, 16));
  if (text === 'little' && record.length === 6) return;
  if (text === 'big' && record.length === 3) {
    fail(`${folder}/byteorder is "big": the checkpoint was saved big-endian; Recur reads little-endian ones`);
  }
  fail(`${folder}/byteorder is ${JSON.stringify(text)}; expected "little" (or "big")`);
}
