/**
 * Bad `recur-case/1` files for the strict case reader. They touch no backend: the world is empty and
 * the runner only checks the error (and, trivially, that no tensor appeared).
 */
import { parseCase } from '../case-format.js';
import type { BadInputCase } from './types.js';
import { emptyWorld } from './world.js';

const t = (shape: number[], data: number[]) => ({ shape, data });

/** A valid case: a one-unit RNN over two steps of one row with lengths (the values are not checked). */
export function validCaseFile(): Record<string, unknown> {
  return {
    format: 'recur-case/1',
    name: 'rnn-bad-input-base',
    module: 'RNN',
    options: { inputSize: 1, hiddenSize: 1 },
    parameters: {
      weight_ih_l0: t([1, 1], [0.5]),
      weight_hh_l0: t([1, 1], [-0.25]),
      bias_ih_l0: t([1], [0.1]),
      bias_hh_l0: t([1], [0.2]),
    },
    inputs: { input: t([2, 1, 1], [1, 2]), lengths: [2] },
    expected: { output: t([2, 1, 1], [0.5, 0.25]) },
  };
}

/** `validCaseFile()` with `edit` applied. */
function edited(edit: (c: Record<string, unknown> & { options: Record<string, unknown> }) => void) {
  const c = validCaseFile() as Record<string, unknown> & { options: Record<string, unknown> };
  edit(c);
  return c;
}

function readerCase(name: string, file: () => unknown, expect: RegExp[]): BadInputCase {
  return {
    name: `parseCase: ${name}`,
    expect,
    setup: (env) => Object.assign(emptyWorld(env), { file: file() }),
    call: (world) => parseCase((world as unknown as { file: unknown }).file),
  };
}

/** The case reader. */
export const caseReaderCases: BadInputCase[] = [
  readerCase('an array instead of a case', () => [validCaseFile()], [
    /case file/,
    /a JSON object/,
    /got an array/,
  ]),
  readerCase('options.hiddenSize 0', () => edited((c) => (c.options.hiddenSize = 0)), [
    /options\.hiddenSize/,
    /≥ 1/,
    /got 0/,
  ]),
  readerCase('an unknown option', () => edited((c) => (c.options.hidden_size = 4)), [
    /unknown option/,
    /"hidden_size"/,
    /expected one of inputSize, hiddenSize/,
  ]),
  readerCase(
    'lengths beyond T',
    () => edited((c) => (c.inputs = { input: t([2, 1, 1], [1, 2]), lengths: [3] })),
    [/inputs\.lengths\[0\]/, /\[1, 2\]/, /got 3/],
  ),
  readerCase(
    'lengths of the wrong count',
    () => edited((c) => (c.inputs = { input: t([2, 1, 1], [1, 2]), lengths: [2, 2] })),
    [/inputs\.lengths/, /one entry per batch row \(1\)/, /got 2 entries/],
  ),
];
