/**
 * A restricted pickle machine: the opcodes `torch.save` writes for a state dict (protocols 2 to 5) and
 * nothing else. It never executes anything: GLOBAL/STACK_GLOBAL, REDUCE, BUILD and BINPERSID are handed
 * to {@link PickleHooks}, which allow only what a state dict needs and refuse the rest by name. The
 * machine is a loop over a stack (no recursion); MARKs nest at most {@link MAX_MARK_DEPTH} deep, every
 * length is checked against the bytes that remain before anything is read or allocated, and every
 * malformed input ends in a `WeightFileError` naming the byte offset and the opcode.
 *
 * Written from the pickle format as CPython's `pickle.py`/`pickletools.py` document it; no library
 * executes pickles safely, so none is used.
 */
import { fail } from './fail.js';

/** How deep MARKs may nest (a state dict needs 3; a legacy file's storage-key list needs 1). */
export const MAX_MARK_DEPTH = 32;
/** The longest module or attribute name GLOBAL may read (a line ends with `\n`). */
const MAX_GLOBAL_LINE = 256;

/** Python values the machine builds. Ints are `number` (or `bigint` past 2⁵³), floats a {@link PickleFloat}. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleFloat
  | PickleTuple
  | PickleList
  | PickleDict
  | PickleObject;

/** A Python float (kept apart from ints, so an offset or a size cannot be a float). */
export class PickleFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple. */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A Python list. */
export class PickleList {
  readonly items: PickleValue[] = [];
}

/** Keys a dict may have here (hashable scalars; a state dict's are strings). */
export type PickleKey = string | number | bigint | boolean | null;

/** A Python dict, or an `OrderedDict` (`ordered`); insertion order is kept, as Python does. */
export class PickleDict {
  readonly entries = new Map<PickleKey, PickleValue>();
  constructor(readonly ordered: boolean) {}
}

/** Values the hooks make (allowed globals, storages, tensors): opaque to the machine. */
export abstract class PickleObject {
  /** A short description for error messages. */
  abstract describe(): string;
}

/** What the machine cannot decide alone: which globals exist, what calling one means, persistent ids. */
export interface PickleHooks {
  /** GLOBAL/STACK_GLOBAL: the allowed value for `module.name`, or a thrown refusal naming it. */
  global(module: string, name: string): PickleValue;
  /** REDUCE: `callable(*args)` for a value `global` returned; anything else is refused. */
  reduce(callable: PickleValue, args: PickleTuple, at: string): PickleValue;
  /** BUILD: `target.__setstate__(state)`, or a refusal. */
  build(target: PickleValue, state: PickleValue, at: string): void;
  /** BINPERSID: the object a persistent id stands for (torch: a storage). */
  persistentLoad(pid: PickleValue, at: string): PickleValue;
}

/** The value of one pickle and the offset just after its STOP. */
export interface Unpickled {
  readonly value: PickleValue;
  readonly end: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Opcodes that are refused by name (code execution or formats a state dict never uses). */
const refusedOpcodes: Record<number, string> = {
  105: 'INST',
  111: 'OBJ',
  129: 'NEWOBJ',
  146: 'NEWOBJ_EX',
  130: 'EXT1',
  131: 'EXT2',
  132: 'EXT4',
  80: 'PERSID',
  151: 'NEXT_BUFFER',
  152: 'READONLY_BUFFER',
  73: 'INT',
  76: 'LONG',
  139: 'LONG4',
  70: 'FLOAT',
  83: 'STRING',
  86: 'UNICODE',
  100: 'DICT',
  108: 'LIST',
  103: 'GET',
  112: 'PUT',
  66: 'BINBYTES',
  67: 'SHORT_BINBYTES',
  142: 'BINBYTES8',
  150: 'BYTEARRAY8',
  143: 'EMPTY_SET',
  144: 'ADDITEMS',
  145: 'FROZENSET',
  48: 'POP',
  49: 'POP_MARK',
  50: 'DUP',
};

/** Short description of a value for error messages (never walks into containers). */
export function describe(value: PickleValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return `the int ${value}`;
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the str ${JSON.stringify(shown)}`;
  }
  if (value instanceof PickleFloat) return `the float ${value.value}`;
  if (value instanceof PickleTuple) return `a tuple of ${value.items.length}`;
  if (value instanceof PickleList) return `a list of ${value.items.length}`;
  if (value instanceof PickleDict)
    return `a${value.ordered ? 'n OrderedDict' : ' dict'} of ${value.entries.size}`;
  return value.describe();
}

/** Reads one pickle of `bytes` starting at `start`; `where` names it in errors (e.g. `data.pkl`). */
export function unpickle(bytes: Uint8Array, start: number, where: string, hooks: PickleHooks): Unpickled {
  return new Machine(bytes, start, where, hooks).run();
}

class Machine {
  private pos: number;
  private stack: PickleValue[] = [];
  private readonly marks: PickleValue[][] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;
  /** Offset of the opcode being run, for messages. */
  private opAt = 0;
  private opName = '';

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly where: string,
    private readonly hooks: PickleHooks,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private at(): string {
    return `${this.where} byte ${this.opAt} (${this.opName})`;
  }

  private fail(message: string): never {
    return fail(`${this.at()}: ${message}`);
  }

  /** Checks that `n` more bytes exist and returns where they begin. */
  private need(n: number, what: string): number {
    const remaining = this.bytes.length - this.pos;
    if (n > remaining) {
      this.fail(`${what} needs ${n} bytes, but only ${remaining} remain (truncated or corrupt pickle)`);
    }
    const begin = this.pos;
    this.pos += n;
    return begin;
  }

  private u8(what: string): number {
    return this.bytes[this.need(1, what)]!;
  }

  private u16(what: string): number {
    return this.view.getUint16(this.need(2, what), true);
  }

  private u32(what: string): number {
    return this.view.getUint32(this.need(4, what), true);
  }

  /** An 8-byte little-endian length of bytes that must follow, checked against what remains. */
  private length64(what: string): number {
    const length = this.view.getBigUint64(this.need(8, `${what}'s length`), true);
    const remaining = this.bytes.length - this.pos;
    if (length > BigInt(remaining)) {
      this.fail(`${what} needs ${length} bytes, but only ${remaining} remain (truncated or corrupt pickle)`);
    }
    return Number(length);
  }

  private text(length: number, what: string): string {
    const begin = this.need(length, what);
    try {
      return utf8.decode(this.bytes.subarray(begin, begin + length));
    } catch {
      return this.fail(`${what} is not valid UTF-8`);
    }
  }

  private line(what: string): string {
    const limit = Math.min(this.bytes.length, this.pos + MAX_GLOBAL_LINE);
    let end = this.pos;
    while (end < limit && this.bytes[end] !== 0x0a) end++;
    if (end === this.bytes.length) this.fail(`${what} runs past the end (truncated or corrupt pickle)`);
    if (end === limit) this.fail(`${what} has no newline within ${MAX_GLOBAL_LINE} bytes`);
    const value = this.text(end - this.pos, what);
    this.pos += 1;
    return value;
  }

  private pop(): PickleValue {
    if (this.stack.length === 0) this.fail('the stack is empty (malformed pickle)');
    return this.stack.pop()!;
  }

  private top(): PickleValue {
    if (this.stack.length === 0) this.fail('the stack is empty (malformed pickle)');
    return this.stack[this.stack.length - 1]!;
  }

  /** The values pushed since the last MARK, which is removed. */
  private popMark(): PickleValue[] {
    const outer = this.marks.pop();
    if (outer === undefined) this.fail('there is no MARK to close (malformed pickle)');
    const items = this.stack;
    this.stack = outer!;
    return items;
  }

  private memoGet(index: number): void {
    if (!this.memo.has(index)) this.fail(`memo entry ${index} was never stored`);
    this.stack.push(this.memo.get(index)!);
  }

  private key(value: PickleValue): PickleKey {
    if (value === null || typeof value !== 'object') return value;
    return this.fail(`a dict key must be a str or an int, got ${describe(value)}`);
  }

  private setItems(dict: PickleValue, items: readonly PickleValue[]): void {
    if (!(dict instanceof PickleDict)) this.fail(`expected a dict to set items in, got ${describe(dict)}`);
    if (items.length % 2 !== 0) this.fail(`expected key/value pairs, got ${items.length} values`);
    for (let i = 0; i < items.length; i += 2)
      (dict as PickleDict).entries.set(this.key(items[i]!), items[i + 1]!);
  }

  private append(list: PickleValue, items: readonly PickleValue[]): void {
    if (!(list instanceof PickleList)) this.fail(`expected a list to append to, got ${describe(list)}`);
    // One push per item: spreading a long APPENDS into push() would overflow the argument limit.
    for (const item of items) (list as PickleList).items.push(item);
  }

  private global(module: string, name: string): void {
    this.stack.push(this.hooks.global(module, name));
  }

  run(): Unpickled {
    const stack = () => this.stack;
    for (;;) {
      this.opAt = this.pos;
      this.opName = 'opcode';
      const op = this.u8('an opcode');
      switch (op) {
        case 0x80: {
          this.opName = 'PROTO';
          const version = this.u8('the protocol version');
          if (version < 2 || version > 5) this.fail(`pickle protocol ${version}; torch.save writes 2 to 5`);
          break;
        }
        case 0x95: {
          this.opName = 'FRAME';
          this.length64('the frame');
          break; // frames only group opcodes; they are read as they come
        }
        case 0x2e: {
          this.opName = 'STOP';
          if (this.marks.length > 0) this.fail(`${this.marks.length} MARK(s) were never closed`);
          if (stack().length !== 1) this.fail(`expected one value on the stack, found ${stack().length}`);
          return { value: stack()[0]!, end: this.pos };
        }
        case 0x28:
          this.opName = 'MARK';
          if (this.marks.length >= MAX_MARK_DEPTH) {
            this.fail(`MARKs nest deeper than ${MAX_MARK_DEPTH}; a state dict needs 3`);
          }
          this.marks.push(this.stack);
          this.stack = [];
          break;
        case 0x7d:
          this.opName = 'EMPTY_DICT';
          stack().push(new PickleDict(false));
          break;
        case 0x5d:
          this.opName = 'EMPTY_LIST';
          stack().push(new PickleList());
          break;
        case 0x29:
          this.opName = 'EMPTY_TUPLE';
          stack().push(new PickleTuple([]));
          break;
        case 0x74:
          this.opName = 'TUPLE';
          {
            const items = this.popMark();
            stack().push(new PickleTuple(items));
          }
          break;
        case 0x85:
        case 0x86:
        case 0x87: {
          const n = op - 0x84;
          this.opName = `TUPLE${n}`;
          if (stack().length < n) this.fail(`needs ${n} values, the stack has ${stack().length}`);
          stack().push(new PickleTuple(stack().splice(stack().length - n, n)));
          break;
        }
        case 0x71:
          this.opName = 'BINPUT';
          this.memo.set(this.u8('the memo index'), this.top());
          break;
        case 0x72:
          this.opName = 'LONG_BINPUT';
          this.memo.set(this.u32('the memo index'), this.top());
          break;
        case 0x94:
          this.opName = 'MEMOIZE';
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68:
          this.opName = 'BINGET';
          this.memoGet(this.u8('the memo index'));
          break;
        case 0x6a:
          this.opName = 'LONG_BINGET';
          this.memoGet(this.u32('the memo index'));
          break;
        case 0x4a:
          this.opName = 'BININT';
          stack().push(this.view.getInt32(this.need(4, 'the int'), true));
          break;
        case 0x4b:
          this.opName = 'BININT1';
          stack().push(this.u8('the int'));
          break;
        case 0x4d:
          this.opName = 'BININT2';
          stack().push(this.u16('the int'));
          break;
        case 0x8a: {
          this.opName = 'LONG1';
          const n = this.u8('the int length');
          stack().push(this.long(this.need(n, 'the int'), n));
          break;
        }
        case 0x47:
          this.opName = 'BINFLOAT';
          stack().push(new PickleFloat(this.view.getFloat64(this.need(8, 'the float'), false)));
          break;
        case 0x58:
          this.opName = 'BINUNICODE';
          stack().push(this.text(this.u32('the string length'), 'the string'));
          break;
        case 0x8c:
          this.opName = 'SHORT_BINUNICODE';
          stack().push(this.text(this.u8('the string length'), 'the string'));
          break;
        case 0x8d:
          this.opName = 'BINUNICODE8';
          stack().push(this.text(this.length64('the string'), 'the string'));
          break;
        case 0x54: {
          this.opName = 'BINSTRING';
          const length = this.view.getInt32(this.need(4, 'the string length'), true);
          if (length < 0) this.fail(`negative string length ${length}`);
          stack().push(this.text(length, 'the string'));
          break;
        }
        case 0x55:
          this.opName = 'SHORT_BINSTRING';
          stack().push(this.text(this.u8('the string length'), 'the string'));
          break;
        case 0x4e:
          this.opName = 'NONE';
          stack().push(null);
          break;
        case 0x88:
          this.opName = 'NEWTRUE';
          stack().push(true);
          break;
        case 0x89:
          this.opName = 'NEWFALSE';
          stack().push(false);
          break;
        case 0x63: {
          this.opName = 'GLOBAL';
          const module = this.line("GLOBAL's module name");
          this.global(module, this.line("GLOBAL's attribute name"));
          break;
        }
        case 0x93: {
          this.opName = 'STACK_GLOBAL';
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') {
            this.fail(
              `expected module and attribute names (str), got ${describe(module)} and ${describe(name)}`,
            );
          }
          this.global(module as string, name as string);
          break;
        }
        case 0x52: {
          this.opName = 'REDUCE';
          const args = this.pop();
          const callable = this.pop();
          if (!(args instanceof PickleTuple))
            this.fail(`expected a tuple of arguments, got ${describe(args)}`);
          stack().push(this.hooks.reduce(callable, args as PickleTuple, this.at()));
          break;
        }
        case 0x62: {
          this.opName = 'BUILD';
          const state = this.pop();
          this.hooks.build(this.top(), state, this.at());
          break;
        }
        case 0x73: {
          this.opName = 'SETITEM';
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case 0x75: {
          this.opName = 'SETITEMS';
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x61: {
          this.opName = 'APPEND';
          const value = this.pop();
          this.append(this.top(), [value]);
          break;
        }
        case 0x65: {
          this.opName = 'APPENDS';
          const items = this.popMark();
          this.append(this.top(), items);
          break;
        }
        case 0x51:
          this.opName = 'BINPERSID';
          stack().push(this.hooks.persistentLoad(this.pop(), this.at()));
          break;
        default: {
          const name = refusedOpcodes[op];
          this.opName = name ?? `0x${op.toString(16).padStart(2, '0')}`;
          this.fail(
            name !== undefined
              ? `opcode ${name} is refused: torch.save never writes it for a state dict`
              : 'unknown opcode (not a pickle, or a corrupt one)',
          );
        }
      }
    }
  }

  /** LONG1: `n` bytes of two's-complement little-endian; a number when it is safe, else a bigint. */
  private long(begin: number, n: number): number | bigint {
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[begin + i]!);
    if (n > 0 && this.bytes[begin + n - 1]! >= 0x80) value -= 1n << BigInt(8 * n);
    const small = Number(value);
    return Number.isSafeInteger(small) ? small : value;
  }
}
