/**
 * `nn.RNNBase`: stacked, optionally bidirectional recurrent layers over a batch of sequences, with
 * PyTorch's parameter names, initialisation, dropout between layers, packed (variable-length) input
 * and unbatched input. Each (layer, direction) runs through `runDirection`.
 */
import type { CellKind, SequenceResult } from '../backend.js';
import { assertFinite } from '../check-finite.js';
import { describeValue, formatShape, shapeError } from '../errors.js';
import { collectTensors } from '../memory.js';
import { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { checkModuleInput } from '../tensor/check.js';
import { tensorLike, zeros } from '../tensor/create.js';
import { concat, index0, mul, reshape, transpose } from '../tensor/ops.js';
import { sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkLengths } from './lengths.js';
import type { LSTMOptions, ResolvedRNNOptions, RNNOptions } from './options.js';
import { resolveRNNOptions } from './options.js';
import { PackedSequence } from './packed.js';
import type { TakenPath } from './sequence.js';
import { choosePath, runDirection } from './sequence.js';

/** The parameters of one direction of one layer. */
interface DirectionParameters {
  weightIh: Parameter;
  weightHh: Parameter;
  biasIh?: Parameter;
  biasHh?: Parameter;
  weightHr?: Parameter;
}

/** Outputs of a forward pass before they are shaped for the caller. */
export interface RecurrentResult {
  /**
   * Last layer's hidden state at every step, `[T, N, D·Hout]` (`[N, T, D·Hout]` with `batchFirst`,
   * `[T, D·Hout]` unbatched), or a {@link PackedSequence} when the input was one.
   */
  output: Tensor | PackedSequence;
  /** PyTorch's `h_n`: final hidden state per layer and direction, `[L·D, N, Hout]` (`[L·D, Hout]` unbatched). */
  hn: Tensor;
  /** PyTorch's `c_n`: final cell state, `[L·D, N, H]` (`[L·D, H]` unbatched); LSTM only. */
  cn?: Tensor;
}

/** Per-call options of `forward`. */
export interface ForwardOptions {
  /**
   * Valid length of each batch row (PyTorch `pack_padded_sequence(enforce_sorted=False)` semantics):
   * rows stop updating after their length, `h_n` holds each row's last valid state, padded outputs are 0.
   */
  lengths?: ArrayLike<number>;
}

/** Shared implementation of `RNN`, `LSTM` and `GRU`. */
export abstract class RNNBase extends Module {
  /** Features per time step of the input. */
  readonly inputSize: number;
  /** Features of the hidden (cell) state. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether input and output are batch-major. */
  readonly batchFirst: boolean;
  /** Dropout probability between layers (training only). */
  readonly dropout: number;
  /** Whether each layer has a reverse direction. */
  readonly bidirectional: boolean;
  /** LSTM projection size (0 = none). */
  readonly projSize: number;
  /** The implementation requested at construction. */
  readonly path: ResolvedRNNOptions['path'];
  /** The implementation the last forward pass actually took (`null` before the first). */
  lastPath: TakenPath | null = null;
  /** The cell kind every layer runs. */
  protected abstract readonly cellKind: CellKind;
  private readonly layers: DirectionParameters[][] = [];
  /**
   * Where this module's random numbers come from: its initial weights and, in training, the dropout masks
   * between layers (`options.generator`, or the global default). Public so a checkpoint can save its state.
   */
  readonly generator: Generator;

  /** @internal Subclasses pass their PyTorch name (`RNN`, `LSTM`, `GRU`) and gate count. */
  protected constructor(
    private readonly moduleName: 'RNN' | 'LSTM' | 'GRU',
    options: RNNOptions & LSTMOptions,
  ) {
    super(options);
    const resolved = resolveRNNOptions(moduleName, options);
    this.inputSize = resolved.inputSize;
    this.hiddenSize = resolved.hiddenSize;
    this.numLayers = resolved.numLayers;
    this.bias = resolved.bias;
    this.batchFirst = resolved.batchFirst;
    this.dropout = resolved.dropout;
    this.bidirectional = resolved.bidirectional;
    this.projSize = resolved.projSize;
    this.path = resolved.path;
    this.generator = options.generator ?? defaultGenerator();
    this.createParameters(moduleName === 'LSTM' ? 4 : moduleName === 'GRU' ? 3 : 1);
  }

  /** Number of directions (1 or 2). */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Size of `h` (the projection size for a projected LSTM, else `hiddenSize`). */
  get outputHiddenSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** PyTorch's order: per layer, per direction: weight_ih, weight_hh, bias_ih, bias_hh, weight_hr. */
  private createParameters(gates: number): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    const uniform = (data: Float64Array) => {
      for (let i = 0; i < data.length; i++) data[i] = this.generator.uniform(-bound, bound);
    };
    const gh = gates * this.hiddenSize;
    const plan: {
      layer: number;
      direction: number;
      key: keyof DirectionParameters;
      name: string;
      shape: number[];
    }[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inSize = layer === 0 ? this.inputSize : this.outputHiddenSize * this.numDirections;
      for (let direction = 0; direction < this.numDirections; direction++) {
        const suffix = `_l${layer}${direction === 1 ? '_reverse' : ''}`;
        const add = (key: keyof DirectionParameters, name: string, shape: number[]) =>
          plan.push({ layer, direction, key, name: name + suffix, shape });
        add('weightIh', 'weight_ih', [gh, inSize]);
        add('weightHh', 'weight_hh', [gh, this.outputHiddenSize]);
        if (this.bias) {
          add('biasIh', 'bias_ih', [gh]);
          add('biasHh', 'bias_hh', [gh]);
        }
        if (this.projSize > 0) add('weightHr', 'weight_hr', [this.projSize, this.hiddenSize]);
      }
    }
    // Every size is checked before the first parameter is made.
    this.checkParameterShapes(Object.fromEntries(plan.map((q) => [q.name, q.shape])));
    for (const q of plan) {
      if (this.layers[q.layer] === undefined) this.layers[q.layer] = [];
      const directions = this.layers[q.layer]!;
      // Filled key by key in PyTorch's order; weight_ih and weight_hh always come first.
      if (directions[q.direction] === undefined) directions[q.direction] = {} as DirectionParameters;
      directions[q.direction]![q.key] = this.addParameter(q.name, q.shape, uniform);
    }
  }

  private where(): string {
    return `${this.moduleName}.forward`;
  }

  private checkTensor(argument: string, t: unknown): asserts t is Tensor {
    checkModuleInput(this.where(), argument, t, this.backend, this.dtype);
  }

  /** Validates everything, then runs the layers. `h0`/`c0` are as the caller gave them. */
  protected run(
    input: Tensor | PackedSequence,
    h0: Tensor | undefined,
    c0: Tensor | undefined,
    options: ForwardOptions = {},
  ): RecurrentResult {
    // Every check comes before the first tensor is created, so bad input costs nothing and changes nothing.
    const where = this.where();
    this.checkParametersLive(where);
    const packed = input instanceof PackedSequence ? input : undefined;
    const x = packed ? packed.padded : input;
    this.checkTensor('input', x);
    if (packed && options.lengths !== undefined) {
      throw new RangeError(
        `${where}: lengths cannot be given with a PackedSequence (it carries its own lengths ` +
          `${describeValue(Array.from(packed.lengths))}), got ${describeValue(Array.from(options.lengths))}`,
      );
    }
    const unbatched = x.rank === 2 && !packed;
    // Our packed sequences are stored time-major whatever batchFirst says.
    const batchMajor = this.batchFirst && !packed;
    if (x.rank !== 3 && !unbatched) {
      shapeError(
        where,
        'input',
        `${batchMajor ? '[N, T, inputSize]' : '[T, N, inputSize]'} or unbatched [T, inputSize]`,
        x.shape,
      );
    }
    if (x.shape[x.rank - 1] !== this.inputSize)
      shapeError(where, 'input', `last dimension inputSize = ${this.inputSize}`, x.shape);
    const steps = unbatched || !batchMajor ? x.shape[0]! : x.shape[1]!;
    const batch = unbatched ? 1 : batchMajor ? x.shape[0]! : x.shape[1]!;
    if (steps < 1 || batch < 1)
      shapeError(where, 'input', 'at least one time step and one batch row', x.shape);
    if (unbatched && options.lengths !== undefined) {
      throw new RangeError(
        `${where}: lengths need batched input ${batchMajor ? '[N, T, inputSize]' : '[T, N, inputSize]'} ` +
          `(rank 3), got unbatched input of shape ${formatShape(x.shape)}`,
      );
    }
    const lengths = packed
      ? packed.lengths
      : options.lengths === undefined
        ? undefined
        : checkLengths(where, options.lengths, batch, steps);
    const stateRows = this.numLayers * this.numDirections;
    const checkState = (argument: string, state: Tensor | undefined, size: number) => {
      if (state === undefined) return;
      this.checkTensor(argument, state);
      const expected = unbatched ? [stateRows, size] : [stateRows, batch, size];
      if (!sameShape(state.shape, expected))
        shapeError(where, argument, `shape ${formatShape(expected)}`, state.shape);
    };
    checkState('h0', h0, this.outputHiddenSize);
    if (this.cellKind === 'lstm') checkState('c0', c0, this.hiddenSize);
    const path = choosePath(this.path, this.backend, this.cellKind);
    const checking = this.checksFinite();
    this.checkFiniteInputs(where, { input: x, h0, c0 });

    const compute = (): RecurrentResult => {
      const batchedState = (state: Tensor | undefined, size: number) =>
        state === undefined
          ? zeros([stateRows, batch, size], { backend: this.backend, dtype: this.dtype })
          : unbatched
            ? reshape(state, [stateRows, 1, size])
            : state;
      // Batch-first sequences stay batch-first through every layer when the fused kernel takes them
      // as they are (no transposed copy in or out); otherwise they are made time-major here.
      const keepBatchFirst =
        batchMajor && !unbatched && path === 'fused' && this.backend.fused?.batchFirst === true;
      let sequence = unbatched
        ? reshape(x, [steps, 1, this.inputSize])
        : batchMajor && !keepBatchFirst
          ? transpose(x, [1, 0, 2])
          : x;
      const h = batchedState(h0, this.outputHiddenSize);
      const c = this.cellKind === 'lstm' ? batchedState(c0, this.hiddenSize) : undefined;

      const hn: Tensor[] = [];
      const cn: Tensor[] = [];
      for (let layer = 0; layer < this.numLayers; layer++) {
        const outputs: Tensor[] = [];
        for (let d = 0; d < this.numDirections; d++) {
          const p = this.layers[layer]![d]!;
          const row = layer * this.numDirections + d;
          const result = runDirection(
            {
              cell: this.cellKind,
              input: sequence,
              ...(keepBatchFirst ? { batchFirst: true } : {}),
              h0: index0(h, row),
              c0: c === undefined ? undefined : index0(c, row),
              weightIh: p.weightIh.value,
              weightHh: p.weightHh.value,
              biasIh: p.biasIh?.value,
              biasHh: p.biasHh?.value,
              weightHr: p.weightHr?.value,
              reverse: d === 1,
              lengths,
            },
            path,
          );
          if (checking) this.checkFiniteDirection(layer, d, result, keepBatchFirst);
          outputs.push(result.output);
          hn.push(result.hn);
          if (result.cn !== undefined) cn.push(result.cn);
        }
        sequence = concat(outputs, 2);
        if (this.training && this.dropout > 0 && layer < this.numLayers - 1)
          sequence = this.applyDropout(sequence, keepBatchFirst);
      }
      this.lastPath = path;

      const stackStates = (states: Tensor[]) => {
        const stacked = concat(
          states.map((s) => reshape(s, [1, ...s.shape])),
          0,
        );
        return unbatched ? reshape(stacked, [stateRows, stacked.shape[2]!]) : stacked;
      };
      let output: Tensor | PackedSequence;
      if (packed) output = new PackedSequence(sequence, packed.lengths, packed.sortedIndices);
      else if (unbatched) output = reshape(sequence, [steps, sequence.shape[2]!]);
      else output = this.batchFirst && !keepBatchFirst ? transpose(sequence, [1, 0, 2]) : sequence;
      return { output, hn: stackStates(hn), cn: cn.length > 0 ? stackStates(cn) : undefined };
    };
    // Only the results outlive the call: the layers' intermediates (each layer's states before they
    // are stacked, views between layers) are released here, also when a finite check fails, rather
    // than left to the caller's tidy (a streaming loop without one grew by four tensors per call).
    // Every tensor of the call lives on this module's backend, so only its scope is opened: the global
    // `tidy` would also open one on every other backend ever used, which fails on a dead one (a lost
    // WebGL context) and costs time per backend.
    return this.backend.tidy(compute, (result) => collectTensors(result).map((t) => t.handle));
  }

  /** Names the layer, direction, time step and batch row where a NaN or ±Infinity first appeared. */
  private checkFiniteDirection(
    layer: number,
    direction: number,
    result: SequenceResult<Tensor>,
    batchFirst: boolean,
  ): void {
    const of = `of layer ${layer}${direction === 1 ? ' (reverse direction)' : ''}`;
    const [step, row] = batchFirst ? [1, 0] : [0, 1];
    const atStep = (index: readonly number[]) =>
      `at time step ${index[step]}, batch row ${index[row]}, feature ${index[2]}`;
    const atRow = (index: readonly number[]) => `in batch row ${index[0]}, feature ${index[1]}`;
    assertFinite(this.where(), `the output ${of}`, result.output, atStep);
    assertFinite(this.where(), `h_n ${of}`, result.hn, atRow);
    if (result.cn !== undefined) assertFinite(this.where(), `c_n ${of}`, result.cn, atRow);
  }

  /**
   * Inverted dropout with an independent mask per element and time step, from the module's generator.
   * The mask is drawn in time-major order whatever the layout of `x`, so a seed gives the same masks
   * on every path.
   */
  private applyDropout(x: Tensor, batchFirst: boolean): Tensor {
    const keepScale = this.dropout >= 1 ? 0 : 1 / (1 - this.dropout);
    const mask = new Float64Array(x.size);
    const [a, b, features] = x.shape as [number, number, number];
    const [steps, batch] = batchFirst ? [b, a] : [a, b];
    for (let t = 0; t < steps; t++) {
      for (let n = 0; n < batch; n++) {
        const base = (batchFirst ? n * steps + t : t * batch + n) * features;
        for (let f = 0; f < features; f++)
          mask[base + f] = this.generator.random() >= this.dropout ? keepScale : 0;
      }
    }
    return mul(x, tensorLike(x, mask, x.shape));
  }
}
