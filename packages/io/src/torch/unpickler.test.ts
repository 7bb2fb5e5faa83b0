/** Malicious and malformed pickles: each is refused with a WeightFileError naming the problem. */
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import { readTorch } from './read.js';
import {
  bytesOf,
  op,
  type Piece,
  stateDictPickle,
  tupleOf,
  u32,
  u64,
  zipCheckpoint,
} from './testing/build.js';

/** A zip checkpoint whose data.pkl is these pieces. */
const checkpoint = (...pieces: Piece[]) => zipCheckpoint({ 'data.pkl': bytesOf(...pieces) });

/** Reading `bytes` throws a WeightFileError whose message contains `message`. */
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

describe('the restricted unpickler refuses code', () => {
  it('GLOBAL os.system, before REDUCE could call it', () => {
    expectRefused(
      checkpoint(
        op.PROTO(2),
        op.GLOBAL('os', 'system'),
        op.BINUNICODE('echo pwned'),
        op.TUPLE1,
        op.REDUCE,
        op.STOP,
      ),
      /^torch: refusing pickle global os\.system: a state dict needs only OrderedDict, tensors and float storages$/,
    );
  });

  it('GLOBAL builtins.eval', () => {
    expectRefused(
      checkpoint(
        op.PROTO(2),
        op.GLOBAL('builtins', 'eval'),
        op.BINUNICODE('1+1'),
        op.TUPLE1,
        op.REDUCE,
        op.STOP,
      ),
      'torch: refusing pickle global builtins.eval',
    );
  });

  it('posix.system through STACK_GLOBAL (protocol 4)', () => {
    expectRefused(
      checkpoint(
        op.PROTO(4),
        op.SHORT_BINUNICODE('posix'),
        op.MEMOIZE,
        op.SHORT_BINUNICODE('system'),
        op.MEMOIZE,
        op.STACK_GLOBAL,
        op.SHORT_BINUNICODE('id'),
        op.TUPLE1,
        op.REDUCE,
        op.STOP,
      ),
      'torch: refusing pickle global posix.system',
    );
  });

  it('a storage type swapped for another callable is refused by name', () => {
    const spec = { name: 'w', key: '0', numel: 1, offset: 0, size: [1], stride: [1] };
    const pickle = stateDictPickle([{ ...spec, storage: ['subprocess', 'Popen'] }]);
    expectRefused(
      zipCheckpoint({ 'data.pkl': pickle, 'data/0': new Uint8Array(4) }),
      /^torch: refusing pickle global subprocess\.Popen: /,
    );
  });

  it('opcodes that build objects (INST, OBJ, NEWOBJ) are refused by name', () => {
    expectRefused(checkpoint(op.PROTO(2), op.MARK, 'i', 'os\nsystem\n', op.STOP), /opcode INST is refused/);
    expectRefused(checkpoint(op.PROTO(2), op.MARK, 'o', op.STOP), /opcode OBJ is refused/);
    expectRefused(
      checkpoint(op.PROTO(2), op.EMPTY_TUPLE, op.EMPTY_TUPLE, 0x81, op.STOP),
      /opcode NEWOBJ is refused/,
    );
  });

  it('integer storages are refused by name', () => {
    const pickle = stateDictPickle([
      { name: 'n', key: '0', numel: 1, offset: 0, size: [], stride: [], storage: ['torch', 'LongStorage'] },
    ]);
    expectRefused(
      zipCheckpoint({ 'data.pkl': pickle, 'data/0': new Uint8Array(8) }),
      'torch: refusing storage type torch.LongStorage (int64): Recur reads float32, float64, float16 and bfloat16 tensors',
    );
  });
});

describe('the restricted unpickler bounds what it reads', () => {
  it('a BINUNICODE claiming 2 GB is refused before anything is allocated', () => {
    expectRefused(
      checkpoint(op.PROTO(2), 0x58, u32(0x80000000), 'abc'),
      'data.pkl byte 2 (BINUNICODE): the string needs 2147483648 bytes, but only 3 remain',
    );
  });

  it('a BINUNICODE8 claiming 2⁶³ bytes, and a FRAME past the end, are refused', () => {
    expectRefused(
      checkpoint(op.PROTO(4), 0x8d, u64(2n ** 63n), 'x'),
      'BINUNICODE8): the string needs 9223372036854775808 bytes, but only 1 remain',
    );
    expectRefused(
      checkpoint(op.PROTO(4), 0x95, u64(1000), op.STOP),
      'FRAME): the frame needs 1000 bytes, but only 1 remain',
    );
  });

  it('a deeply nested MARK chain stops at the depth bound', () => {
    expectRefused(
      checkpoint(op.PROTO(2), new Uint8Array(100_000).fill(op.MARK)),
      'data.pkl byte 34 (MARK): MARKs nest deeper than 32; a state dict needs 3',
    );
  });

  it('a 100 000-deep tuple chain is built without recursion and refused as not a state dict', () => {
    expectRefused(
      checkpoint(op.PROTO(2), op.EMPTY_TUPLE, new Uint8Array(100_000).fill(op.TUPLE1), op.STOP),
      'torch: the checkpoint holds a tuple of 1, not a state dict (a dict of tensors)',
    );
  });

  it('a 200 000-item APPENDS is read without overflowing the argument limit', () => {
    expectRefused(
      checkpoint(
        op.PROTO(2),
        op.EMPTY_LIST,
        op.MARK,
        new Uint8Array(200_000).fill(op.NONE),
        op.APPENDS,
        op.STOP,
      ),
      'torch: the checkpoint holds a list of 200000, not a state dict (a dict of tensors)',
    );
  });

  it('stack underflow, unknown memo entries, unclosed MARKs and unknown opcodes', () => {
    expectRefused(checkpoint(op.PROTO(2), op.REDUCE), 'byte 2 (REDUCE): the stack is empty');
    expectRefused(
      checkpoint(op.PROTO(2), 0x68, 7, op.STOP),
      'byte 2 (BINGET): memo entry 7 was never stored',
    );
    expectRefused(
      checkpoint(op.PROTO(2), op.MARK, op.NONE, op.STOP),
      'byte 4 (STOP): 1 MARK(s) were never closed',
    );
    expectRefused(checkpoint(op.PROTO(2), 0xff), 'byte 2 (0xff): unknown opcode');
    expectRefused(
      checkpoint(op.PROTO(2), op.NONE),
      'byte 3 (opcode): an opcode needs 1 bytes, but only 0 remain',
    );
  });

  it('strings that are not UTF-8, and GLOBAL lines without an end', () => {
    expectRefused(
      checkpoint(op.PROTO(2), 0x58, u32(2), [0xc3, 0x28], op.STOP),
      'the string is not valid UTF-8',
    );
    expectRefused(
      checkpoint(op.PROTO(2), 'c', 'a'.repeat(300)),
      "GLOBAL's module name has no newline within 256 bytes",
    );
  });

  it('tensors with malformed arguments', () => {
    const tensor = (...args: Piece[]) =>
      checkpoint(
        op.PROTO(2),
        op.EMPTY_DICT,
        op.BINUNICODE('w'),
        op.GLOBAL('torch._utils', '_rebuild_tensor_v2'),
        tupleOf(...args),
        op.REDUCE,
        0x73, // SETITEM
        op.STOP,
      );
    const storage = [
      tupleOf(
        op.BINUNICODE('storage'),
        op.GLOBAL('torch', 'FloatStorage'),
        op.BINUNICODE('0'),
        op.BINUNICODE('cpu'),
        op.INT(4),
      ),
      op.BINPERSID,
    ];
    expectRefused(tensor(op.NONE, op.INT(0)), '_rebuild_tensor_v2 takes 6 or 7 arguments, got 2');
    expectRefused(
      tensor(
        storage,
        [0x47, new Uint8Array(8)],
        tupleOf(op.INT(1)),
        tupleOf(op.INT(1)),
        op.NEWFALSE,
        op.EMPTY_DICT,
      ),
      'storage_offset must be a non-negative int, got the float 0',
    );
    expectRefused(
      tensor(
        storage,
        op.INT(0),
        tupleOf(op.INT(2), op.INT(2)),
        tupleOf(op.INT(1)),
        op.NEWFALSE,
        op.EMPTY_DICT,
      ),
      'size has 2 dimensions but stride has 1',
    );
    expectRefused(
      tensor(op.BINUNICODE('storage'), op.INT(0), tupleOf(), tupleOf(), op.NEWFALSE, op.EMPTY_DICT),
      'expected a storage, got the str "storage"',
    );
  });
});
