/** The strict `recur-case/1` reader: every committed case parses; every malformed one names its field. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaseFormatError, loadedCase, parseCase, parseCaseBytes, parseCaseText } from './case-format.js';
import { committedCasesDir, listCaseFiles, loadCases } from './load-cases.js';

// biome-ignore lint/suspicious/noExplicitAny: test fixtures are edited as loose JSON.
type Json = any;

const read = (name: string): Json =>
  JSON.parse(readFileSync(join(committedCasesDir, `${name}.json`), 'utf8'));
/** LSTM, 2 layers, bidirectional, batch-first, projSize 3, h0 + c0, lengths [2, 5, 4], input [3, 5, 4]. */
const lstmName = 'lstm-l2-bi-bf-proj3-n3-t5-i4h6-lengths-unsorted';
const cellName = 'lstmcell-n3-i3h4';
const unbatchedName = 'rnn-l1-tanh-unbatched-t5-i3h4';

/** The CaseFormatError `parseCase` throws for `raw` (fails the test when it does not throw one). */
function problem(raw: unknown): CaseFormatError {
  try {
    parseCase(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(CaseFormatError);
    return error as CaseFormatError;
  }
  throw new Error('parseCase accepted the file');
}

/** A committed case with `edit` applied to a deep copy. */
function edited(name: string, edit: (c: Json) => void): Json {
  const c = structuredClone(read(name));
  edit(c);
  return c;
}

describe('parseCase accepts every valid file', () => {
  it('parses all 84 committed cases, through loadCases as the command line does', () => {
    const loaded = loadCases([committedCasesDir]);
    expect(loaded).toHaveLength(84);
    expect(loaded.filter((l) => 'error' in l)).toEqual([]);
  });

  it('keeps what the runner reads and nothing else', () => {
    const raw = read(lstmName);
    const c = parseCase(raw);
    expect(c).toEqual(raw);
    expect(c.inputs.input.data).toBe(raw.inputs.input.data); // shared, not copied
  });

  it('accepts optional fields left out and defaults given explicitly', () => {
    const minimal = edited(cellName, (c) => {
      delete c.source;
      delete c.dtype;
      delete c.lossWeights;
      delete c.inputs.h0;
      delete c.inputs.c0;
      delete c.expected.grad.h0;
      delete c.expected.grad.c0;
      c.options = { inputSize: 3, hiddenSize: 4 };
    });
    expect(parseCase(minimal).lossWeights).toEqual({});
    // projSize 0 and nonlinearity "tanh" are the defaults of every recurrent module.
    const gru = edited('gru-l1-n2-t4-i3h4-noh0', (c) => {
      c.options.projSize = 0;
      c.options.nonlinearity = 'tanh';
      c.options.dropout = 0.5;
    });
    expect(parseCase(gru).options.dropout).toBe(0.5);
    // h0 without c0 is allowed (c starts at zero); float32 references are allowed.
    const hOnly = edited(lstmName, (c) => {
      delete c.inputs.c0;
      delete c.expected.grad.c0;
      c.dtype = 'float32';
    });
    expect(parseCase(hOnly).dtype).toBe('float32');
    expect(parseCaseBytes(new TextEncoder().encode(`\uFEFF${JSON.stringify(read(cellName))}`)).name).toBe(
      cellName,
    );
  });
});

describe('parseCase refuses a malformed file, naming the field, the expected and the actual value', () => {
  it('says a JSON array is an array, not a case object', () => {
    const e = problem([read(cellName)]);
    expect(e.message).toBe('a case file must be a JSON object, got an array');
    expect(problem('{}').message).toBe('the file must be a JSON object, got "{}"');
    expect(problem(null).message).toBe('the file must be a JSON object, got null');
  });

  it('checks the type and range of every option, and refuses unknown options by name', () => {
    const cases: [string, (o: Json) => void, string, RegExp][] = [
      [lstmName, (o) => (o.hiddenSize = 'x'), 'options.hiddenSize', /must be an integer ≥ 1, got "x"/],
      [lstmName, (o) => (o.inputSize = 2.5), 'options.inputSize', /must be an integer ≥ 1, got 2\.5/],
      [lstmName, (o) => delete o.inputSize, 'options.inputSize', /is missing \(expected an integer ≥ 1\)/],
      [lstmName, (o) => (o.numLayers = 0), 'options.numLayers', /numLayers must be an integer ≥ 1, got 0/],
      [lstmName, (o) => (o.bias = 'yes'), 'options.bias', /must be a boolean, got "yes"/],
      [lstmName, (o) => (o.batchFirst = 1), 'options.batchFirst', /must be a boolean, got 1/],
      [lstmName, (o) => (o.dropout = 2), 'options.dropout', /must be a finite number in \[0, 1\], got 2/],
      [lstmName, (o) => (o.projSize = 6), 'options.projSize', /in \[0, 5\] \(less than hiddenSize\), got 6/],
      [lstmName, (o) => (o.projSize = -1), 'options.projSize', /got -1/],
      [lstmName, (o) => (o.nonlinearity = 'relu'), 'options.nonlinearity', /only RNN and RNNCell/],
      [
        unbatchedName,
        (o) => (o.nonlinearity = 'gelu'),
        'options.nonlinearity',
        /"tanh" or "relu", got "gelu"/,
      ],
      [unbatchedName, (o) => (o.projSize = 1), 'options.projSize', /only LSTM projects/],
      [lstmName, (o) => (o.hidden_size = 6), 'options.hidden_size', /unknown option "hidden_size" for LSTM/],
      [cellName, (o) => (o.numLayers = 1), 'options.numLayers', /unknown option "numLayers" for LSTMCell/],
    ];
    for (const [name, edit, path, message] of cases) {
      const e = problem(edited(name, (c) => edit(c.options)));
      expect([e.path, e.message]).toEqual([path, expect.stringMatching(message)]);
    }
  });

  it('checks format, name, module, dtype and the top-level fields', () => {
    const cases: [(c: Json) => void, string, RegExp][] = [
      [(c) => delete c.format, 'format', /^format is missing \(expected "recur-case\/1"\)$/],
      [(c) => (c.format = 'recur-case/2'), 'format', /got "recur-case\/2"/],
      [(c) => (c.name = ''), 'name', /file-name-safe/],
      [(c) => (c.name = '../etc/passwd'), 'name', /file-name-safe/],
      [
        (c) => (c.module = 'Transformer'),
        'module',
        /unknown module "Transformer" \(expected one of RNN, LSTM/,
      ],
      [(c) => (c.module = 7), 'module', /unknown module 7/],
      [(c) => (c.dtype = 'int8'), 'dtype', /^dtype must be "float32" or "float64", got "int8"$/],
      [(c) => (c.lossWeight = c.lossWeights), 'lossWeight', /unknown field "lossWeight"/],
      [(c) => (c.source = 13), 'source', /must be a string, got 13/],
    ];
    for (const [edit, path, message] of cases) {
      const e = problem(edited(lstmName, edit));
      expect([e.path, e.message]).toEqual([path, expect.stringMatching(message)]);
    }
  });

  it('checks every tensor: shape, finite data, size; a huge shape is refused before anything is made of it', () => {
    const cases: [(c: Json) => void, string, RegExp][] = [
      [
        (c) => (c.parameters.weight_ih_l0 = [1, 2]),
        'parameters.weight_ih_l0',
        /a tensor \{shape, data\}, got \[1, 2\]/,
      ],
      [(c) => (c.inputs.input.shape[0] = -3), 'inputs.input.shape[0]', /must be an integer ≥ 0, got -3/],
      [(c) => (c.inputs.input.shape[0] = 1e300), 'inputs.input.shape[0]', /got 1e\+300/],
      [
        (c) => (c.inputs.input.shape = [1e9, 1e9, 4]),
        'inputs.input.data',
        /\[1000000000, 1000000000, 4\] \(4000000000000000000 values\) but data holds 60 values/,
      ],
      [(c) => (c.inputs.input.shape = 'x'), 'inputs.input.shape', /must be an array, got "x"/],
      [(c) => (c.inputs.input.data[7] = 'a'), 'inputs.input.data[7]', /must be a finite number, got "a"/],
      [(c) => (c.inputs.input.data[7] = null), 'inputs.input.data[7]', /got null/],
      [(c) => c.inputs.input.data.pop(), 'inputs.input.data', /\[3, 5, 4\] \(60 values\) but data holds 59/],
      [(c) => (c.inputs.input.dtype = 'f32'), 'inputs.input.dtype', /unknown field "dtype" in inputs.input/],
      [(c) => (c.expected.loss = 'low'), 'expected.loss', /must be a finite number, got "low"/],
    ];
    for (const [edit, path, message] of cases) {
      const e = problem(edited(lstmName, edit));
      expect([e.path, e.message]).toEqual([path, expect.stringMatching(message)]);
    }
    // JSON cannot spell Infinity, but 1e999 parses to it.
    const text = JSON.stringify(read(lstmName)).replace(/"loss":[^,}]+/, '"loss":1e999');
    expect(() => parseCaseText(text)).toThrow(/expected.loss must be a finite number, got Infinity/);
  });

  it('checks the parameters are exactly the state_dict of the module, with its shapes', () => {
    const cases: [(c: Json) => void, string, RegExp][] = [
      [
        (c) => delete c.parameters.weight_hr_l1_reverse,
        'parameters.weight_hr_l1_reverse',
        /is missing \(LSTM\(/,
      ],
      [(c) => (c.parameters.extra = c.parameters.bias_ih_l0), 'parameters.extra', /not a parameter of LSTM/],
      [(c) => (c.options.numLayers = 1e9), 'parameters.weight_ih_l2', /is missing/],
      [
        (c) => (c.options.hiddenSize = 7),
        'parameters.weight_ih_l0.shape',
        /must have shape \[28, 4\] \(weight_ih_l0 of LSTM\(inputSize=4, hiddenSize=7, .*\), got \[24, 4\]/,
      ],
      [(c) => (c.options.bias = false), 'parameters.bias_ih_l0', /not a parameter of LSTM/],
    ];
    for (const [edit, path, message] of cases) {
      const e = problem(edited(lstmName, edit));
      expect([e.path, e.message]).toEqual([path, expect.stringMatching(message)]);
    }
  });

  it('checks the inputs against the module: rank, sizes, h0 / c0, lengths', () => {
    const cases: [string, (c: Json) => void, string, RegExp][] = [
      [
        lstmName,
        (c) => (c.inputs.lengths = ['a', -3, 4]),
        'inputs.lengths[0]',
        /in \[1, 5\] \(the sequence length\), got "a"/,
      ],
      [lstmName, (c) => (c.inputs.lengths = [2, -3, 4]), 'inputs.lengths[1]', /got -3/],
      [lstmName, (c) => (c.inputs.lengths = [2, 6, 4]), 'inputs.lengths[1]', /in \[1, 5\].*got 6/],
      [
        lstmName,
        (c) => (c.inputs.lengths = ['a', -3]),
        'inputs.lengths',
        /one entry per batch row \(3\), got 2/,
      ],
      [lstmName, (c) => (c.inputs.lengths = 5), 'inputs.lengths', /must be an array, got 5/],
      [unbatchedName, (c) => (c.inputs.lengths = [5]), 'inputs.lengths', /needs batched input/],
      [cellName, (c) => (c.inputs.lengths = [1, 1, 1]), 'inputs.lengths', /unknown field "lengths"/],
      [lstmName, (c) => delete c.inputs.input, 'inputs.input', /is missing \(expected a tensor/],
      [
        lstmName,
        (c) => (c.inputs.input.shape = [60]),
        'inputs.input.shape',
        /rank 3 \(\[N, T, inputSize\]\)/,
      ],
      [
        lstmName,
        (c) => (c.inputs.input.shape = [3, 4, 5]),
        'inputs.input.shape',
        /\[3, 4, 4\] \(the last axis/,
      ],
      [lstmName, (c) => (c.inputs.h0.shape = [2, 3, 6]), 'inputs.h0.shape', /must have shape \[4, 3, 3\]/],
      [lstmName, (c) => delete c.inputs.h0, 'inputs.c0', /needs inputs\.h0/],
      [unbatchedName, (c) => (c.inputs.c0 = c.inputs.h0), 'inputs.c0', /unknown field "c0"/],
    ];
    for (const [name, edit, path, message] of cases) {
      const e = problem(edited(name, edit));
      expect([e.path, e.message]).toEqual([path, expect.stringMatching(message)]);
    }
  });

  it('checks loss weights and references against the shapes the module produces', () => {
    const cases: [string, (c: Json) => void, string, RegExp][] = [
      [lstmName, (c) => (c.lossWeights.output = c.lossWeights.cn), 'lossWeights.output.shape', /\[3, 5, 6\]/],
      [cellName, (c) => (c.lossWeights.hn = c.lossWeights.cn), 'lossWeights.hn', /unknown field "hn"/],
      [lstmName, (c) => (c.expected.hn = c.expected.cn), 'expected.hn.shape', /must have shape \[4, 3, 3\]/],
      [
        lstmName,
        (c) => (c.expected.grad.lengths = c.expected.grad.input),
        'expected.grad.lengths',
        /neither/,
      ],
      [
        lstmName,
        (c) => (c.expected.grad.input = c.expected.output),
        'expected.grad.input.shape',
        /\[3, 5, 4\]/,
      ],
      [
        'gru-l1-n2-t4-i3h4-noh0',
        (c) => (c.expected.grad.h0 = c.expected.grad.input),
        'expected.grad.h0',
        /needs inputs\.h0/,
      ],
      [lstmName, (c) => (c.expected = { grad: {} }), 'expected', /no reference value/],
      [lstmName, (c) => delete c.expected, 'expected', /is missing/],
    ];
    for (const [name, edit, path, message] of cases) {
      const e = problem(edited(name, edit));
      expect([e.path, e.message]).toEqual([path, expect.stringMatching(message)]);
    }
  });

  it('treats __proto__ keys as data, never as a prototype', () => {
    const text = JSON.stringify(read(cellName));
    const withProto = (where: string) =>
      text.replace(`"${where}":{`, `"${where}":{"__proto__":{"polluted":1},`);
    expect(() => parseCaseText(withProto('options'))).toThrow(/unknown option "__proto__" for LSTMCell/);
    expect(() => parseCaseText(withProto('parameters'))).toThrow(/parameters\.__proto__ is not a parameter/);
    expect(() => parseCaseText(withProto('grad'))).toThrow(/expected\.grad\.__proto__ is neither/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses text that is not JSON, and bytes that are not UTF-8', () => {
    expect(() => parseCaseText('{ "format": "recur-case/1", ')).toThrow(CaseFormatError);
    expect(() => parseCaseText('')).toThrow(/^the file is not valid JSON: /);
    expect(() => parseCaseBytes(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/^the file is not UTF-8 text$/);
  });

  it('describes deeply nested and huge values without walking into them', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const text = JSON.stringify(read(cellName)).replace(/"hiddenSize":4/, `"hiddenSize":${deep}`);
    expect(() => parseCaseText(text)).toThrow(
      /^options\.hiddenSize must be an integer ≥ 1, got an array of 1 item$/,
    );
    // Found by pnpm fuzz: String() of a deep array in the unknown-module message overflowed the stack.
    const deepModule = JSON.stringify(read(cellName)).replace(/"module":"LSTMCell"/, `"module":${deep}`);
    expect(() => parseCaseText(deepModule)).toThrow(/^unknown module an array of 1 item \(expected one of/);
    const long = edited(cellName, (c) => (c.module = 'x'.repeat(1_000_000)));
    expect(problem(long).message.length).toBeLessThan(200);
  });
});

describe('loadedCase', () => {
  it('turns any problem into an entry with the file and message, never a throw', () => {
    for (const content of ['[]', '', 'null', new Uint8Array([0xff]), 42, [1], { format: 'recur-case/1' }]) {
      const entry = loadedCase('dir/some-case.json', content);
      expect(entry).toEqual({ file: 'dir/some-case.json', name: 'some-case', error: expect.any(String) });
    }
    // A file whose own name is readable is reported under it.
    const renamed = { ...read(cellName), name: 'my-own', module: 'Transformer' };
    expect(loadedCase('x.json', JSON.stringify(renamed))).toMatchObject({ name: 'my-own' });
    const file = listCaseFiles([committedCasesDir])[0]!;
    expect('case' in loadedCase(file, readFileSync(file))).toBe(true);
  });
});
