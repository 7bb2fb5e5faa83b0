/** checkFinite names the first tensor where a NaN or ±Infinity appears, and a failed check changes nothing. */
import { createJsBackend } from '@recur/backend-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backward,
  Generator,
  GRU,
  type GRUCell,
  Linear,
  LSTM,
  LSTMCell,
  mseLoss,
  NonFiniteError,
  ops,
  RNN,
  setCheckFinite,
  tensor,
  zeros,
} from './index.js';

const backend = createJsBackend();
const options = { backend, generator: new Generator(5) };

/** Sets entry `index` of the named parameter to `value`. */
function poison(module: LSTM | GRU | Linear | GRUCell, name: string, index: number, value: number): void {
  const p = module.stateDict()[name]!;
  const data = p.toList();
  data[index] = value;
  module.loadStateDict({ [name]: { shape: p.shape, data } }, { strict: false });
}

afterEach(() => setCheckFinite(false));

describe('checkFinite on modules', () => {
  it('is off by default: NaN flows through silently', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, ...options });
    poison(gru, 'weight_hh_l0', 4, Number.NaN);
    const [out] = gru.forward(tensor([1, 2, 3, 4], [2, 1, 2], { backend }));
    expect(out.toList().some(Number.isNaN)).toBe(true);
  });

  it('names a NaN parameter before the forward pass runs, leaking nothing', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, checkFinite: true, ...options });
    poison(lstm, 'bias_hh_l1', 2, Number.NaN);
    const x = tensor([1, 2, 3, 4], [2, 1, 2], { backend });
    const live = backend.liveTensors();
    expect(() => lstm.forward(x)).toThrow(NonFiniteError);
    expect(() => lstm.forward(x)).toThrow(
      'LSTM.forward (checkFinite): parameter bias_hh_l1 holds NaN at [2]',
    );
    expect(backend.liveTensors()).toBe(live);
  });

  it('names an infinite input by argument and position', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, ...options });
    gru.checkFinite = true;
    const h0 = tensor([0, 0, Number.POSITIVE_INFINITY], [1, 1, 3], { backend });
    expect(() => gru.forward(tensor([1, 2], [1, 1, 2], { backend }), h0)).toThrow(
      'GRU.forward (checkFinite): h0 holds Infinity at [0, 0, 2]',
    );
  });

  it('names the layer, direction and time step where finite inputs overflow', () => {
    // h₁ = relu(1) = 1, h₂ = relu(1 + 2·10²⁰) ≈ 2·10²⁰, h₃ ≈ 4·10⁴⁰: beyond float32 at time step 2.
    const rnn = new RNN({ inputSize: 1, hiddenSize: 2, nonlinearity: 'relu', checkFinite: true, ...options });
    rnn.loadStateDict({
      weight_ih_l0: { shape: [2, 1], data: [1, 1] },
      weight_hh_l0: { shape: [2, 2], data: [1e20, 1e20, 1e20, 1e20] },
      bias_ih_l0: { shape: [2], data: [0, 0] },
      bias_hh_l0: { shape: [2], data: [0, 0] },
    });
    const x = tensor([1, 1, 1], [3, 1, 1], { backend });
    const live = backend.liveTensors();
    expect(() => rnn.forward(x)).toThrow(
      'RNN.forward (checkFinite): the output of layer 0 holds Infinity at time step 2, batch row 0, feature 0',
    );
    expect(backend.liveTensors()).toBe(live);
  });

  it('checks cells and Linear, and turns on everywhere with setCheckFinite', () => {
    const cell = new LSTMCell({ inputSize: 2, hiddenSize: 3, ...options });
    const x = tensor([Number.NaN, 0], [1, 2], { backend });
    expect(() => cell.forward(x)).not.toThrow();
    setCheckFinite(true);
    expect(() => cell.forward(x)).toThrow('LSTMCell.forward (checkFinite): input holds NaN at [0, 0]');
    const linear = new Linear({ inFeatures: 2, outFeatures: 1, ...options });
    expect(() => linear.forward(tensor([1e38, 1e38], [1, 2], { backend }))).not.toThrow(NonFiniteError);
    poison(linear, 'weight', 0, 3e38);
    poison(linear, 'weight', 1, 3e38);
    expect(() => linear.forward(tensor([10, 10], [1, 2], { backend }))).toThrow(
      'Linear.forward (checkFinite): output holds Infinity at [0, 0]',
    );
    // A module's own false wins over the global switch.
    cell.checkFinite = false;
    expect(() => cell.forward(x)).not.toThrow();
  });
});

describe('checkFinite on backward', () => {
  it('names the parameter whose gradient is not finite, and leaves every grad unchanged', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, ...options });
    const params = gru.parameters();
    const x = tensor([1, 2, 3, 4], [2, 1, 2], { backend });
    const target = zeros([2, 1, 3], { backend });
    const loss = () => mseLoss(gru.forward(x)[0], target);
    backward(loss, params).dispose();
    const grads = params.map((p) => p.grad!.toList());
    // sqrt at 0 has an infinite slope: the gradient of bias_hh_l0 becomes Infinity, the loss stays finite.
    const sqrtLoss = () =>
      ops.sqrt(
        ops.sum(
          ops.mul(
            ops.sub(gru.parameters()[3]!.value, gru.parameters()[3]!.value),
            gru.parameters()[3]!.value,
          ),
        ),
      );
    expect(() => backward(sqrtLoss, params, { checkFinite: true })).toThrow(
      /backward \(checkFinite\): the gradient of parameters\[3\] \(GRU\.bias_hh_l0\) holds (NaN|-?Infinity) at \[0\]/,
    );
    expect(params.map((p) => p.grad!.toList())).toEqual(grads);
    const live = backend.liveTensors();
    expect(() => backward(() => ops.log(zeros([], { backend })), params, { checkFinite: true })).toThrow(
      'backward (checkFinite): the loss holds -Infinity at []',
    );
    expect(backend.liveTensors()).toBe(live);
    expect(params.map((p) => p.grad!.toList())).toEqual(grads);
  });
});
