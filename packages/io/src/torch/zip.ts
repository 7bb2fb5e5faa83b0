/**
 * The zip layout of `torch.save` (torch ≥ 1.6): one folder `<archive>/` holding `data.pkl` (the pickle),
 * `data/<key>` (each storage's raw bytes), `version`, and on newer torch `byteorder` (`little` or `big`).
 *
 * The archive is opened as `../zip.ts` opens every zip (each entry's declared size checked before
 * extraction); only the entries a checkpoint has are extracted.
 */
import { readZipEntries } from '../zip.js';
import { fail } from './fail.js';

export { isZip } from '../zip.js';

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
/** `<archive>/data.pkl`, `<archive>/byteorder`, `<archive>/data/<key>`: the entries read. */
const wanted = /^([^/]+)\/(data\.pkl|byteorder|data\/[^/]+)$/;

/** Opens a zip checkpoint: checks every entry's size before extraction, and the byte order. */
export function readArchive(bytes: Uint8Array): TorchArchive {
  const folders = new Set<string>();
  let torchScript = false;
  const files = readZipEntries(bytes, {
    maxExpansion: MAX_EXPANSION,
    storedAs: 'torch stores entries uncompressed',
    fail,
    seen(name) {
      if (/^[^/]+\/(constants\.pkl|code\/)/.test(name)) torchScript = true;
    },
    wanted(name) {
      const match = wanted.exec(name);
      if (match !== null) folders.add(match[1]!);
      return match !== null;
    },
  });
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
