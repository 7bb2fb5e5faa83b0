/** `RNN`, `LSTM` and `GRU`: PyTorch's `nn.RNN`, `nn.LSTM`, `nn.GRU`. */
import type { CellKind } from '../backend.js';
import type { Tensor } from '../tensor/tensor.js';
import type { GRUOptions, LSTMOptions, RNNOptions } from './options.js';
import type { PackedSequence } from './packed.js';
import type { ForwardOptions } from './rnn-base.js';
import { RNNBase } from './rnn-base.js';
import { checkStatePair } from './state-pair.js';

/**
 * Elman RNN, `h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)` with `act` = tanh or relu.
 * `forward(input, h0?)` returns `[output, h_n]` exactly as PyTorch's `nn.RNN`.
 */
export class RNN extends RNNBase {
  /** `tanh` or `relu`. */
  readonly nonlinearity: 'tanh' | 'relu';
  protected readonly cellKind: CellKind;

  /** Creates the layers with PyTorch's default initialisation from the seeded generator. */
  constructor(options: RNNOptions) {
    super('RNN', options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    this.cellKind = this.nonlinearity === 'relu' ? 'rnn_relu' : 'rnn_tanh';
  }

  /**
   * Input `[T, N, inputSize]` (`[N, T, …]` with batchFirst, `[T, inputSize]` unbatched, or a
   * PackedSequence); `h0` `[numLayers·D, N, H]` (zeros when omitted). Returns `[output, h_n]`.
   */
  forward<I extends Tensor | PackedSequence>(
    input: I,
    h0?: Tensor | null,
    options?: ForwardOptions,
  ): [I, Tensor] {
    const r = this.run(input, h0 ?? undefined, undefined, options);
    return [r.output as I, r.hn];
  }
}

/**
 * Long short-term memory (gates i, f, g, o), with optional projection (`projSize`).
 * `forward(input, [h0, c0]?)` returns `[output, [h_n, c_n]]` exactly as PyTorch's `nn.LSTM`.
 */
export class LSTM extends RNNBase {
  protected readonly cellKind: CellKind = 'lstm';

  /** Creates the layers with PyTorch's default initialisation from the seeded generator. */
  constructor(options: LSTMOptions) {
    super('LSTM', options);
  }

  /**
   * Input as for {@link RNN}; `hx = [h0, c0]` with `h0 [numLayers·D, N, projSize || H]` and
   * `c0 [numLayers·D, N, H]` (zeros when omitted). Returns `[output, [h_n, c_n]]`.
   */
  forward<I extends Tensor | PackedSequence>(
    input: I,
    hx?: readonly [Tensor, Tensor] | null,
    options?: ForwardOptions,
  ): [I, [Tensor, Tensor]] {
    const pair = checkStatePair('LSTM.forward', hx, ['h0', 'c0']);
    const r = this.run(input, pair?.[0], pair?.[1], options);
    return [r.output as I, [r.hn, r.cn!]];
  }
}

/**
 * Gated recurrent unit (gates r, z, n; `b_hn` inside `r ⊙ (…)`, PyTorch's "reset after").
 * `forward(input, h0?)` returns `[output, h_n]` exactly as PyTorch's `nn.GRU`.
 */
export class GRU extends RNNBase {
  protected readonly cellKind: CellKind = 'gru';

  /** Creates the layers with PyTorch's default initialisation from the seeded generator. */
  constructor(options: GRUOptions) {
    super('GRU', options);
  }

  /** As {@link RNN.forward}. */
  forward<I extends Tensor | PackedSequence>(
    input: I,
    h0?: Tensor | null,
    options?: ForwardOptions,
  ): [I, Tensor] {
    const r = this.run(input, h0 ?? undefined, undefined, options);
    return [r.output as I, r.hn];
  }
}
