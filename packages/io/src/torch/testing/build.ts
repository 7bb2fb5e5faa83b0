/**
 * Hand-built pickles and checkpoints for the torch reader's tests: malicious and malformed inputs are
 * written byte by byte here, so each test shows exactly what the file holds.
 */
import { zipSync } from 'fflate';

const utf8 = new TextEncoder();

/** One piece of a pickle: opcode bytes, raw text (latin-1 opcodes and GLOBAL lines) or bytes. */
export type Piece = number | string | Uint8Array | readonly Piece[];

/** Concatenates pieces: numbers are single bytes, strings their UTF-8 bytes. */
export function bytesOf(...pieces: Piece[]): Uint8Array {
  const out: number[] = [];
  const add = (p: Piece): void => {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') add(utf8.encode(p));
    else if (p instanceof Uint8Array) for (const b of p) out.push(b);
    else for (const q of p) add(q);
  };
  for (const p of pieces) add(p);
  return new Uint8Array(out);
}

/** A 4-byte little-endian unsigned int. */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** An 8-byte little-endian unsigned int. */
export function u64(n: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** Opcodes, by their pickletools names. */
export const op = {
  PROTO: (v: number) => [0x80, v],
  STOP: 0x2e,
  MARK: 0x28,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  EMPTY_TUPLE: 0x29,
  EMPTY_DICT: 0x7d,
  EMPTY_LIST: 0x5d,
  SETITEMS: 0x75,
  APPENDS: 0x65,
  REDUCE: 0x52,
  BUILD: 0x62,
  BINPERSID: 0x51,
  NONE: 0x4e,
  NEWFALSE: 0x89,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  GLOBAL: (module: string, name: string) => ['c', module, '\n', name, '\n'],
  BINUNICODE: (s: string) => {
    const b = utf8.encode(s);
    return [0x58, u32(b.length), b];
  },
  SHORT_BINUNICODE: (s: string) => {
    const b = utf8.encode(s);
    return [0x8c, b.length, b];
  },
  /** A non-negative int below 2³¹ (BININT1 or BININT). */
  INT: (n: number) => (n < 256 ? [0x4b, n] : [0x4a, u32(n)]),
} as const;

/** `(i, j, …)` as MARK … TUPLE. */
export function tupleOf(...items: Piece[]): Piece {
  return [op.MARK, ...items, op.TUPLE];
}

/** One tensor of a hand-built state dict. */
export interface TensorSpec {
  readonly name: string;
  readonly key: string;
  readonly numel: number;
  readonly offset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
  /** The storage type's GLOBAL, `torch.FloatStorage` unless given. */
  readonly storage?: readonly [module: string, name: string];
}

/**
 * The pickle `torch.save` writes for an OrderedDict of these tensors (protocol 2): the zip layout's
 * 5-field storage ids, or with `legacy` the 6-field ones ending in view metadata None.
 */
export function stateDictPickle(tensors: readonly TensorSpec[], legacy = false): Uint8Array {
  const entry = (t: TensorSpec): Piece => [
    op.BINUNICODE(t.name),
    op.GLOBAL('torch._utils', '_rebuild_tensor_v2'),
    op.MARK,
    tupleOf(
      op.BINUNICODE('storage'),
      op.GLOBAL(...(t.storage ?? ['torch', 'FloatStorage'])),
      op.BINUNICODE(t.key),
      op.BINUNICODE('cpu'),
      op.INT(t.numel),
      legacy ? op.NONE : [],
    ),
    op.BINPERSID,
    op.INT(t.offset),
    tupleOf(...t.size.map(op.INT)),
    tupleOf(...t.stride.map(op.INT)),
    op.NEWFALSE,
    op.GLOBAL('collections', 'OrderedDict'),
    op.EMPTY_TUPLE,
    op.REDUCE,
    op.TUPLE,
    op.REDUCE,
  ];
  return bytesOf(
    op.PROTO(2),
    op.GLOBAL('collections', 'OrderedDict'),
    op.EMPTY_TUPLE,
    op.REDUCE,
    op.MARK,
    tensors.map(entry),
    op.SETITEMS,
    op.STOP,
  );
}

/** Float32 little-endian bytes of `values`. */
export function float32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** A zip checkpoint `archive/…` with these entries, stored uncompressed as torch writes them. */
export function zipCheckpoint(entries: Record<string, Uint8Array>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, data] of Object.entries(entries)) files[`archive/${name}`] = [data, { level: 0 }];
  return zipSync(files);
}

/** A legacy checkpoint: magic number, protocol 1001, sys_info, `main`, the key list, then each storage. */
export function legacyCheckpoint(
  main: Uint8Array,
  storages: readonly [string, number, Uint8Array][],
): Uint8Array {
  const magic = bytesOf(
    op.PROTO(2),
    0x8a,
    10,
    [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19],
    op.STOP,
  );
  const version = bytesOf(op.PROTO(2), 0x4d, [0xe9, 0x03], op.STOP);
  const sysInfo = bytesOf(op.PROTO(2), op.EMPTY_DICT, op.STOP);
  const keys = bytesOf(
    op.PROTO(2),
    op.EMPTY_LIST,
    op.MARK,
    storages.map(([k]) => op.BINUNICODE(k)),
    op.APPENDS,
    op.STOP,
  );
  return bytesOf(
    magic,
    version,
    sysInfo,
    main,
    keys,
    storages.map(([, count, data]) => [u64(count), data]),
  );
}
