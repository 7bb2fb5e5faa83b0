/**
 * Byte-level mutations of valid files: bit flips, byte overwrites, insertions of bytes and JSON
 * tokens, deletions, duplicated chunks and truncation. They reach what a damaged or hand-edited
 * file looks like: broken syntax, stray tokens, numbers changed digit by digit.
 */
import fc, { type Arbitrary } from 'fast-check';

const encoder = new TextEncoder();

/** Tokens a hand edit or a bad generator might leave in a JSON file. */
const tokens = [
  'null',
  'true',
  '-1',
  '-0',
  '0.5',
  '1e999',
  '-1e999',
  '1e308',
  '9007199254740993',
  '4294967296',
  '"x"',
  '""',
  '{}',
  '[]',
  '"__proto__":{},',
  '"constructor":1,',
  '[[[[[[[[[[',
  ']]]]',
  '\\u0000',
  '\uFEFF',
  '\u00e9',
].map((t) => encoder.encode(t));

/** Bytes that matter to a JSON reader, besides random ones. */
const interesting = [
  0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x2d, 0x30, 0x39, 0x65, 0x5c, 0x00, 0x80, 0xc3, 0xff,
];

/** One edit: which operation, where, how much, with what. */
interface ByteEdit {
  op: number;
  at: number;
  length: number;
  byte: number;
}

function splice(bytes: Uint8Array, start: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, start), 0);
  out.set(insert, start);
  out.set(bytes.subarray(start + remove), start + insert.length);
  return out;
}

function apply(bytes: Uint8Array, e: ByteEdit): Uint8Array {
  const n = bytes.length;
  const i = n === 0 ? 0 : e.at % n;
  switch (e.op) {
    case 0: {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[i] = out[i]! ^ (1 << (e.byte % 8));
      return out;
    }
    case 1: {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[i] = e.byte % 2 === 0 ? interesting[e.byte % interesting.length]! : e.byte;
      return out;
    }
    case 2:
      return splice(
        bytes,
        i,
        0,
        new Uint8Array((e.length % 8) + 1).fill(interesting[e.byte % interesting.length]!),
      );
    case 3:
      return splice(bytes, i, Math.min(e.length + 1, n - i), new Uint8Array(0));
    case 4:
      return bytes.slice(0, i);
    case 5:
      return splice(bytes, (e.byte * 7919) % (n + 1), 0, bytes.slice(i, i + e.length + 1));
    default:
      return splice(bytes, i, 0, tokens[e.byte % tokens.length]!);
  }
}

/** A valid sample with one to eight byte edits applied. */
export function byteMutations(samples: readonly Uint8Array[]): Arbitrary<Uint8Array> {
  const edit = fc.record({ op: fc.nat(6), at: fc.nat(), length: fc.nat(63), byte: fc.nat(255) });
  return fc
    .record({ sample: fc.nat(samples.length - 1), edits: fc.array(edit, { minLength: 1, maxLength: 8 }) })
    .map(({ sample, edits }) => edits.reduce(apply, samples[sample]!));
}
