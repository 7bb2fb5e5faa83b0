/**
 * What PyTorch's modules cannot compute is refused, naming the attribute or input and its value; what
 * they compute exactly (zero peepholes, lengths given per call) is read. Each model is a PyTorch export
 * with one hand edit.
 */
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../errors.js';
import type { ModelProto } from './proto.js';
import { readOnnx } from './read.js';
import { attribute, edited, floatInitializer, recurrentNodes, setAttribute } from './testing/edit.js';

const lstm = 'lstm-l1-i3h4-op14.onnx';
const lstmBi = 'lstm-l2-bi-bf-i3h4-op14.onnx';
const gru = 'gru-l1-i3h4-op14.onnx';
const rnnBi = 'rnn-relu-l2-bi-i2h3-h0-op17.onnx';

const first = (model: ModelProto) => recurrentNodes(model)[0]!;

/** Gives the first recurrent node an optional input at `index` (filling the ones before with ''). */
function setInput(model: ModelProto, index: number, name: string): void {
  const node = first(model);
  while (node.input.length <= index) node.input.push('');
  node.input[index] = name;
}

const refusals: [string, string, (model: ModelProto) => void, RegExp][] = [
  [
    'a reset-before GRU (linear_before_reset = 0)',
    gru,
    (m) => setAttribute(first(m), attribute.int('linear_before_reset', 0)),
    /GRU node "\/GRU": linear_before_reset = 0 is refused: that is the "reset before" GRU/,
  ],
  [
    'a GRU without linear_before_reset (ONNX defaults to 0)',
    gru,
    (m) => {
      first(m).attribute = first(m).attribute.filter((a) => a.name !== 'linear_before_reset');
    },
    /linear_before_reset = 0 \(absent, the ONNX default\) is refused/,
  ],
  [
    'clip',
    lstm,
    (m) => setAttribute(first(m), attribute.float('clip', 3)),
    /LSTM node "\/LSTM": clip = 3 is refused: ONNX clips the gate pre-activations to ±3/,
  ],
  [
    'peepholes (input P, not zero)',
    lstm,
    (m) => {
      m.graph!.initializer.push(
        floatInitializer(
          'P',
          [1, 12],
          Array.from({ length: 12 }, (_, i) => 0.1 * i),
        ),
      );
      setInput(m, 7, 'P');
    },
    /input P \(peepholes, "P"\) is refused: it is not all zeros, and PyTorch's LSTM has no peephole/,
  ],
  [
    'input_forget = 1',
    lstm,
    (m) => setAttribute(first(m), attribute.int('input_forget', 1)),
    /input_forget = 1 is refused: it couples the input and forget gates/,
  ],
  [
    'LSTM activations other than Sigmoid, Tanh, Tanh',
    lstm,
    (m) => setAttribute(first(m), attribute.strings('activations', ['HardSigmoid', 'Tanh', 'Tanh'])),
    /activations = \["HardSigmoid","Tanh","Tanh"\] is refused: PyTorch's LSTM computes exactly \["Sigmoid","Tanh","Tanh"\]/,
  ],
  [
    'GRU activations in one direction of two',
    'gru-l2-bi-bf-i2h3-h0-op17.onnx',
    (m) =>
      setAttribute(first(m), attribute.strings('activations', ['Sigmoid', 'Tanh', 'Sigmoid', 'Softsign'])),
    /activations = \["Sigmoid","Tanh","Sigmoid","Softsign"\] is refused/,
  ],
  [
    'an RNN with different activations per direction',
    rnnBi,
    (m) => setAttribute(first(m), attribute.strings('activations', ['Relu', 'Tanh'])),
    /activations = \["Relu","Tanh"\] is refused: PyTorch's RNN computes "Tanh" or "Relu", the same in every direction/,
  ],
  [
    'activation_alpha',
    rnnBi,
    (m) => setAttribute(first(m), attribute.floats('activation_alpha', [0.5, 0.5])),
    /activation_alpha = \[0.5, 0.5\] is refused/,
  ],
  [
    'a reverse-only direction',
    lstm,
    (m) => setAttribute(first(m), attribute.string('direction', 'reverse')),
    /direction = "reverse" has no PyTorch module/,
  ],
  [
    'an attribute Recur does not know',
    gru,
    (m) => setAttribute(first(m), attribute.int('cudnn_mode', 1)),
    /attribute cudnn_mode = 1 is not an attribute of ONNX GRU that Recur knows/,
  ],
  [
    'hidden_size of the wrong type',
    gru,
    (m) => setAttribute(first(m), attribute.float('hidden_size', 4)),
    /attribute hidden_size must be of type INT, got FLOAT/,
  ],
  [
    'a non-zero constant initial state',
    lstm,
    (m) => {
      m.graph!.initializer.push(
        floatInitializer(
          'h_init',
          [1, 2, 4],
          Array.from({ length: 8 }, () => 0.5),
        ),
      );
      setInput(m, 5, 'h_init');
    },
    /initial_h \("h_init"\) is refused: it is a non-zero constant/,
  ],
  [
    'states given as [N, D, H] with layout = 1',
    gru,
    (m) => {
      const dims = [{ dimValue: 2n }, { dimValue: 1n }, { dimValue: 4n }];
      m.graph!.input.push({
        name: 'h0',
        docString: '',
        type: { tensorType: { elemType: 1, shape: { dim: dims } } },
      });
      setInput(m, 5, 'h0');
      setAttribute(first(m), attribute.int('layout', 1));
    },
    /initial_h \("h0"\) is refused: with layout = 1 the model takes states as \[N, D, H\], PyTorch as \[D·L, N, H\]/,
  ],
  [
    'h0 rows given to the wrong layer',
    rnnBi,
    (m) => {
      const [a, b] = recurrentNodes(m);
      [a!.input[5], b!.input[5]] = [b!.input[5]!, a!.input[5]!];
    },
    /RNN node "\/module\/RNN": initial_h \(".*"\) is refused: layer 0 must take rows \[0, 2\) of input "h0" as they are, it takes rows \[2, 4\)/,
  ],
  [
    'constant sequence lengths',
    lstm,
    (m) => {
      m.graph!.initializer.push({ ...floatInitializer('lens', [2], []), dataType: 6, int32Data: [5, 3] });
      setInput(m, 4, 'lens');
    },
    /sequence_lens \("lens"\) must be a graph input: lengths fixed inside the model cannot be carried over/,
  ],
  [
    'an op that is not part of the recurrent module',
    lstm,
    (m) => {
      m.graph!.node.push({
        ...first(m),
        name: 'head',
        opType: 'MatMul',
        input: ['output', 'output'],
        output: ['y'],
        attribute: [],
      });
    },
    /MatMul node "head" \(MatMul\) is not part of a PyTorch RNN, LSTM or GRU/,
  ],
  [
    'a custom domain',
    lstm,
    (m) => {
      first(m).domain = 'com.microsoft';
    },
    /LSTM node "\/LSTM" is in domain "com.microsoft"/,
  ],
  [
    'layers of different kinds',
    lstmBi,
    (m) => {
      recurrentNodes(m)[1]!.opType = 'GRU';
    },
    /GRU node "\/LSTM_1" mixes with LSTM nodes/,
  ],
  [
    'layers wired in a way PyTorch does not (layer 1 reads the input)',
    lstmBi,
    (m) => {
      recurrentNodes(m)[1]!.input[0] = '/Transpose_output_0';
    },
    /LSTM node "\/LSTM_1" is not in the chain of layers/,
  ],
  [
    'an opset before 7',
    lstm,
    (m) => {
      m.opsetImport[0]!.version = 6n;
    },
    /opset_import version is 6; Recur reads opset 7 and later/,
  ],
];

describe('readOnnx refuses what PyTorch cannot compute, naming it', () => {
  it.each(refusals)('%s', (_, file, change, message) => {
    const bytes = edited(file, change);
    expect(() => readOnnx(bytes)).toThrow(WeightFileError);
    expect(() => readOnnx(bytes)).toThrow(message);
  });
});

describe('readOnnx reads what PyTorch computes exactly', () => {
  it('zero peepholes (no peephole at all)', () => {
    const bytes = edited(lstm, (m) => {
      m.graph!.initializer.push(floatInitializer('P', [1, 12], new Array(12).fill(0)));
      setInput(m, 7, 'P');
    });
    expect(readOnnx(bytes).module.module).toBe('LSTM');
  });

  it('sequence lengths from a graph input, named in the metadata', () => {
    const bytes = edited(lstm, (m) => {
      m.graph!.input.push({
        name: 'lengths',
        docString: '',
        type: { tensorType: { elemType: 6, shape: { dim: [{ dimValue: 2n }] } } },
      });
      setInput(m, 4, 'lengths');
    });
    expect(readOnnx(bytes).metadata['onnx.sequence_lens']).toBe('lengths');
  });

  it('layout = 1 (batch-major X, opset 14) as batchFirst', () => {
    const bytes = edited(lstm, (m) => setAttribute(first(m), attribute.int('layout', 1)));
    expect(readOnnx(bytes).module.options).toMatchObject({ batchFirst: true, inputSize: 3, hiddenSize: 4 });
  });

  it('explicit default activations and input_forget = 0', () => {
    const bytes = edited(lstm, (m) => {
      setAttribute(first(m), attribute.strings('activations', ['sigmoid', 'tanh', 'tanh']));
      setAttribute(first(m), attribute.int('input_forget', 0));
    });
    expect(readOnnx(bytes).module.options.hiddenSize).toBe(4);
  });
});
