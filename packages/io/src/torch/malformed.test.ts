/** Malformed checkpoints: archives, storages and views that do not add up; truncations; zip bombs. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { readTorch } from './read.js';
import {
  bytesOf,
  float32Bytes,
  legacyCheckpoint,
  stateDictPickle,
  type TensorSpec,
  zipCheckpoint,
} from './testing/build.js';

const dir = fileURLToPath(new URL('../../../../fixtures/weights/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(dir + name));

/** Reading `bytes` throws a WeightFileError whose message contains (or matches) `message`. */
function expectRefused(bytes: Uint8Array, message: string | RegExp): void {
  let thrown: unknown;
  try {
    readTorch(bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WeightFileError);
  expect((thrown as Error).message).toMatch(message);
}

const weight: TensorSpec = { name: 'w', key: '0', numel: 6, offset: 0, size: [2, 3], stride: [3, 1] };
const six = float32Bytes([1, 2, 3, 4, 5, 6]);

describe('hand-built checkpoints', () => {
  it('read as PyTorch would: a transposed view and two tensors sharing one storage', () => {
    const specs: TensorSpec[] = [
      { ...weight, name: 't', size: [3, 2], stride: [1, 3] },
      { ...weight, name: 'a', offset: 1, size: [2], stride: [1] },
      { ...weight, name: 'b', offset: 4, size: [2], stride: [1] },
    ];
    const zip = readTorch(zipCheckpoint({ 'data.pkl': stateDictPickle(specs), 'data/0': six }));
    const legacy = readTorch(legacyCheckpoint(stateDictPickle(specs, true), [['0', 6, six]]));
    for (const read of [zip, legacy]) {
      expect(Object.keys(read.tensors)).toEqual(['t', 'a', 'b']);
      expect(Array.from(read.tensors.t!.data)).toEqual([1, 4, 2, 5, 3, 6]);
      expect(Array.from(read.tensors.a!.data)).toEqual([2, 3]);
      expect(Array.from(read.tensors.b!.data)).toEqual([5, 6]);
    }
  });

  it('a storage key missing from the archive', () => {
    const files = unzipSync(fixture('lstm-l1-i3h4.pt'));
    delete files['lstm-l1-i3h4/data/2'];
    expectRefused(
      zipSync(files, { level: 0 }),
      'torch: storage "2" is missing from the archive (no lstm-l1-i3h4/data/2)',
    );
    expectRefused(
      legacyCheckpoint(stateDictPickle([weight], true), []),
      'torch: storage "0" is used by a tensor but missing from the file',
    );
  });

  it('a tensor view past its storage’s end, by size, stride or offset', () => {
    const refused = (spec: Partial<TensorSpec>) =>
      zipCheckpoint({ 'data.pkl': stateDictPickle([{ ...weight, ...spec }]), 'data/0': six });
    const past = 'reaches past the 6 elements of storage "0" (6 × float32)';
    expectRefused(refused({ size: [3, 3] }), `torch: tensor "w" [3, 3] (stride [3, 1], offset 0) ${past}`);
    expectRefused(refused({ stride: [4, 1] }), past);
    expectRefused(refused({ offset: 1 }), past);
    expectRefused(refused({ size: [0], stride: [1], offset: 7 }), 'begins past the end of storage "0"');
    expectRefused(legacyCheckpoint(stateDictPickle([{ ...weight, offset: 1 }], true), [['0', 6, six]]), past);
  });

  it('storage sizes that disagree with the bytes present', () => {
    expectRefused(
      zipCheckpoint({ 'data.pkl': stateDictPickle([weight]), 'data/0': six.subarray(0, 20) }),
      'torch: archive/data/0 has 20 bytes; 6 × float32 needs 24',
    );
    expectRefused(
      legacyCheckpoint(stateDictPickle([weight], true), [['0', 7, six]]),
      'torch: storage "0" at byte 205: the file gives 7 elements, the pickle 6 (corrupt file)',
    );
    expectRefused(
      bytesOf(legacyCheckpoint(stateDictPickle([weight], true), [['0', 6, six]]), 0),
      'torch: 1 bytes follow the last storage',
    );
  });

  it('repeated stride-0 views cannot ask for more memory than the file describes', () => {
    const broadcast = { ...weight, numel: 1, size: [1_000_000], stride: [0] };
    expectRefused(
      zipCheckpoint({ 'data.pkl': stateDictPickle([broadcast]), 'data/0': float32Bytes([1]) }),
      /^torch: the tensors view 1000000 elements by "w", more than the file's \d+ bytes can hold/,
    );
  });

  it('a big-endian byteorder record', () => {
    const files = unzipSync(fixture('rnncell-i3h4.pt'));
    files['rnncell-i3h4/byteorder'] = new TextEncoder().encode('big');
    expectRefused(
      zipSync(files, { level: 0 }),
      'torch: rnncell-i3h4/byteorder is "big": the checkpoint was saved big-endian; Recur reads little-endian ones',
    );
    files['rnncell-i3h4/byteorder'] = new TextEncoder().encode('little');
    expect(Object.keys(readTorch(zipSync(files, { level: 0 })).tensors)).toHaveLength(4);
  });
});

describe('archives that are not what they claim', () => {
  it('a zip bomb: a deflated entry declaring far more bytes than the file holds is never inflated', () => {
    const bomb = zipSync({ 'archive/data/0': [new Uint8Array(1 << 20), { level: 9 }] });
    expect(bomb.length).toBeLessThan(5000);
    expectRefused(
      bomb,
      `torch: zip entry archive/data/0 declares 1048576 uncompressed bytes, past 8× the file's ${bomb.length} (a zip bomb or a corrupt directory)`,
    );
  });

  it('a central directory listing more entries than the file can hold', () => {
    const zip = zipCheckpoint({ 'data.pkl': stateDictPickle([weight]), 'data/0': six });
    new DataView(zip.buffer).setUint16(zip.length - 22 + 10, 0xffff, true); // total entries
    new DataView(zip.buffer).setUint16(zip.length - 22 + 8, 0xffff, true); // entries on this disk
    expectRefused(zip, /^torch: the zip directory lists more entries than a \d+-byte file can hold$/);
  });

  it('TorchScript archives, unknown compression, and files that are neither layout', () => {
    expectRefused(
      zipCheckpoint({ 'data.pkl': stateDictPickle([]), 'constants.pkl': new Uint8Array(1) }),
      'torch: this is a TorchScript archive (torch.jit.save), not torch.save of a state dict',
    );
    const lzma = zipCheckpoint({ 'data.pkl': stateDictPickle([]) });
    const central = lzma.findIndex((_, i) => lzma[i] === 0x50 && lzma[i + 1] === 0x4b && lzma[i + 2] === 1);
    new DataView(lzma.buffer).setUint16(central + 10, 14, true); // the entry's compression method
    expectRefused(
      lzma,
      'torch: zip entry archive/data.pkl is compressed with LZMA; torch stores entries uncompressed',
    );
    expectRefused(
      new Uint8Array(0),
      'torch: not a torch.save checkpoint: expected a zip archive (50 4b 03 04) or a legacy pickle (80 02 8a 0a), got an empty file',
    );
    expectRefused(new Uint8Array([0x1f, 0x8b, 8, 0]), 'got 1f 8b 08 00');
    expectRefused(zipCheckpoint({}), 'got 50 4b 05 06');
    expectRefused(zipCheckpoint({ 'x.txt': new Uint8Array(1) }), 'the zip archive has no <archive>/data.pkl');
  });
});

describe('truncated checkpoints', () => {
  const prefixes = (bytes: Uint8Array) =>
    Array.from({ length: bytes.length }, (_, n) => bytes.subarray(0, n));

  it('every prefix of a zip checkpoint is refused as an unreadable archive', () => {
    const bytes = fixture('rnncell-i3h4.pt');
    for (const prefix of prefixes(bytes)) {
      expectRefused(
        prefix,
        /^torch: (not a readable zip archive \(invalid zip data\)|not a torch\.save checkpoint: )/,
      );
    }
  });

  it('every prefix of a legacy checkpoint is refused, naming what is missing', () => {
    const bytes = fixture('rnncell-i3h4.legacy.pt');
    for (const prefix of prefixes(bytes)) {
      expectRefused(
        prefix,
        /^torch: (not a torch\.save checkpoint: |.* (remain|runs past the end) \(truncated or corrupt pickle\)$|storage "\d+" at byte \d+: (the file ends before its 8-byte element count|\d+ × float32 needs \d+ bytes, only \d+ remain)$)/,
      );
    }
  });

  it('every single-byte corruption of a legacy checkpoint reads or is refused, never anything else', () => {
    const bytes = fixture('rnncell-i3h4.legacy.pt');
    for (let at = 0; at < bytes.length; at++) {
      const corrupt = bytes.slice();
      corrupt[at]! ^= 0xff;
      try {
        readTorch(corrupt);
      } catch (error) {
        expect(error).toBeInstanceOf(WeightFileError);
        expect((error as Error).message).not.toContain('unexpected failure');
      }
    }
  });
});
