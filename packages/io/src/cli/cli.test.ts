/** `recur inspect` and `recur convert` as a user runs them: output lines, files written, exit codes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readWeightFile } from '../node.js';
import { run } from './run.js';

const weights = fileURLToPath(new URL('../../../../fixtures/weights/', import.meta.url));
const keras3 = fileURLToPath(new URL('../../../../fixtures/keras3/', import.meta.url));

function recur(...argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

describe('recur inspect', () => {
  it('lists tensors, dtypes, shapes and the module the shapes give', () => {
    const r = recur('inspect', `${weights}lstm-l2-proj2-i3h4.safetensors`);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/safetensors, 10 tensors, 224 values$/);
    expect(r.out).toContain('  weight_hr_l1  float32   [2, 4]');
    expect(r.out).toContain(
      'module: LSTM {"inputSize":3,"hiddenSize":4,"numLayers":2,"bias":true,"bidirectional":false,"projSize":2} (from shapes)',
    );
    expect(r.out.at(-1)).toMatch(/PyTorch's defaults assumed: batchFirst, dropout/);
  });
});

describe('recur convert', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recur-cli-'));

  it('reads a Keras 3 .keras file: inspect shows the module, convert writes safetensors with it', () => {
    const file = `${keras3}lstm-l2-bi-i3h2-seq.keras`;
    const shown = recur('inspect', file);
    expect(shown.code).toBe(0);
    expect(shown.out[0]).toMatch(/lstm-l2-bi-i3h2-seq\.keras: keras, 16 tensors, \d+ values$/);
    expect(shown.out).toContain('  weight_ih_l1_reverse  float32   [8, 4]');
    expect(shown.out.at(-1)).toMatch(
      /^module: LSTM \{"inputSize":3,"hiddenSize":2,"numLayers":2,.*"bidirectional":true/,
    );
    const out = join(dir, 'keras.safetensors');
    expect(recur('convert', file, out)).toMatchObject({ code: 0, err: [] });
    const written = readWeightFile(out);
    const read = readWeightFile(file);
    expect(written.metadata['recur.module']).toBe('LSTM');
    expect(written.metadata['keras.version']).toBe('3.15.1');
    for (const [name, t] of Object.entries(read.tensors))
      expect(Array.from(written.tensors[name]!.data)).toEqual(Array.from(t.data));
    const refused = recur('inspect', `${keras3}lstm-hard-sigmoid-i3h4.keras`);
    expect(refused.code).toBe(2);
    expect(refused.err.join('\n')).toMatch(
      /keras: layer 1 \(LSTM "lstm_\d+"\): recurrent_activation = "hard_sigmoid" is refused/,
    );
    expect(recur('convert', file, join(dir, 'x.keras')).err.join('\n')).toMatch(
      /Recur reads Keras models but does not write them/,
    );
  });

  it('writes the file with the module kind and options, the user filling what shapes cannot say', () => {
    const out = join(dir, 'rnn.safetensors');
    const r = recur(
      'convert',
      `${weights}rnn-l3-bf-i2h2.safetensors`,
      out,
      '--options',
      '{"batchFirst": true}',
      '--dtype',
      'float64',
    );
    expect(r).toMatchObject({ code: 0, err: [] });
    const file = readWeightFile(out);
    expect(file.metadata['recur.module']).toBe('RNN');
    expect(JSON.parse(file.metadata['recur.options']!)).toMatchObject({ numLayers: 3, batchFirst: true });
    expect(file.tensors.weight_ih_l2!.stored).toBe('float64');
    const original = readWeightFile(`${weights}rnn-l3-bf-i2h2.safetensors`);
    for (const [name, t] of Object.entries(original.tensors))
      expect(Array.from(file.tensors[name]!.data)).toEqual(Array.from(t.data));
  });

  it.each([
    [
      ['convert', `${weights}gru-l3-i2h3.safetensors`, 'out.unknown'],
      /cannot tell the format of ".*out\.unknown" from its extension \(known: \.safetensors/,
    ],
    [
      ['convert', `${weights}gru-l3-i2h3.safetensors`, 'x.safetensors', '--module', 'lstm'],
      /--module lstm contradicts the file, whose tensors are a GRU/,
    ],
    [
      ['convert', `${weights}gru-l3-i2h3.safetensors`, 'x.safetensors', '--module', 'transformer'],
      /--module must be one of rnn, lstm, gru/,
    ],
    [
      ['convert', `${weights}gru-l3-i2h3.safetensors`, 'x.safetensors', '--options', '{"hiddenSize": 5}'],
      /--options hiddenSize = 5 contradicts the tensors' shapes, which give 3/,
    ],
    [
      ['convert', `${weights}gru-l3-i2h3.safetensors`, 'x.safetensors', '--options', '[1]'],
      /--options must be a JSON object/,
    ],
    [
      ['convert', `${weights}gru-l3-i2h3.safetensors`, 'x.safetensors', '--dtype', 'int8'],
      /--dtype must be one of float32, float64, float16, bfloat16, got "int8"/,
    ],
    [['inspect', 'missing.safetensors'], /ENOENT/],
    [['inspect', `${weights}gru-l3-i2h3.json`], /cannot tell the format/],
    [['frobnicate'], /unknown command/],
  ])('%j exits 2 with one line', (argv, pattern) => {
    const r = recur(
      ...(argv as string[]).map((a) => (a.startsWith('x.') || a.startsWith('out.') ? join(dir, a) : a)),
    );
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(pattern);
  });
});
