/**
 * Runs a `recur-train/1` fixture: a tiny model (optional Embedding → recurrent module → optional
 * LayerNorm → Linear), a loss, an optimizer (with parameter groups), an optional lr scheduler and
 * optional gradient clipping (by norm or by value), stepped a few to a few dozen times; compares the
 * loss, the lr, the total norm, the gradients and the parameters recorded at every step with PyTorch's.
 * A step may list parameters whose gradient is set to null before `optimizer.step()` (`noGrad`), which
 * the optimizer must skip.
 */
import type { AnyBackend, DType, Parameter, Tensor } from '@recur/core';
import {
  Adagrad,
  Adam,
  AdamW,
  backward,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  clipGradNorm,
  clipGradValue,
  crossEntropy,
  Embedding,
  GRU,
  huberLoss,
  indices,
  LayerNorm,
  Linear,
  LSTM,
  l1Loss,
  lrScheduler,
  Module,
  mseLoss,
  nllLoss,
  ops,
  RMSprop,
  RNN,
  SGD,
  smoothL1Loss,
  tensor,
  tidy,
} from '@recur/core';
import type { CaseTensor } from './case-format.js';
import type { ErrorStats, Tolerance } from './compare.js';
import { compareValues } from './compare.js';
import type { TrainingFixture } from './training-format.js';

type TrainingLoss = TrainingFixture['loss'];
type TrainingScheduler = NonNullable<TrainingFixture['scheduler']>;

export type { TrainingFixture } from './training-format.js';

/** Outcome of a training fixture. */
export interface TrainingResult {
  /** The fixture's `name`. */
  name: string;
  /** Every recorded value was reproduced within tolerance and nothing threw. */
  pass: boolean;
  /** Worst errors of every compared value by name (`step0.loss`, `step1.totalNorm`, `step2.grad.rnn.weight_ih_l0`, `step3.head.bias`, …). */
  errors: Record<string, ErrorStats>;
  /** One message per value out of tolerance or missing reference, and the error if the run threw; empty when `pass`. */
  problems: string[];
}

type Layer = Embedding | RNN | LSTM | GRU | LayerNorm | Linear;

/** A container registering the fixture's modules under their names, like `nn.ModuleDict`. */
class FixtureModel extends Module {
  readonly layers: { name: string; layer: Layer }[] = [];
  constructor(backend: AnyBackend, dtype: DType, spec: TrainingFixture['model']) {
    super({ backend, dtype });
    for (const { name, module, options } of spec) {
      const placed = { ...options, backend, dtype } as never;
      const layer =
        module === 'Embedding'
          ? new Embedding(placed)
          : module === 'LSTM'
            ? new LSTM(placed)
            : module === 'GRU'
              ? new GRU(placed)
              : module === 'RNN'
                ? new RNN(placed)
                : module === 'Linear'
                  ? new Linear(placed)
                  : module === 'LayerNorm'
                    ? new LayerNorm(
                        options.normalizedShape as number[],
                        {
                          ...options,
                          normalizedShape: undefined,
                          backend,
                          dtype,
                        } as never,
                      )
                    : undefined;
      if (layer === undefined) throw new Error(`unknown module ${JSON.stringify(module)}`);
      this.layers.push({ name, layer: this.addModule(name, layer) });
    }
  }

  forward(input: CaseTensor): Tensor {
    let x: Tensor | undefined;
    for (const { layer } of this.layers) {
      if (layer instanceof Embedding) x = layer.forward(indices(input.data, input.shape));
      else if (layer instanceof Linear || layer instanceof LayerNorm) x = layer.forward(x!);
      else {
        x ??= tensor(input.data, input.shape, { backend: this.backend, dtype: this.dtype });
        x = layer.forward(x)[0];
      }
    }
    return x!;
  }
}

function makeOptimizer(model: Module, spec: TrainingFixture['optimizer']) {
  const named = new Map(model.namedParameters());
  // The reader (training-format.ts) checked that the groups list every parameter name exactly once.
  const params: readonly Parameter[] | { params: Parameter[] }[] = spec.groups
    ? spec.groups.map(({ params, ...overrides }) => ({
        ...overrides,
        params: params.map((n) => named.get(n)!),
      }))
    : model.parameters();
  const o = spec.options as never;
  const p = params as never;
  switch (spec.kind) {
    case 'SGD':
      return new SGD(p, o);
    case 'Adam':
      return new Adam(p, o);
    case 'AdamW':
      return new AdamW(p, o);
    case 'RMSprop':
      return new RMSprop(p, o);
    case 'Adagrad':
      return new Adagrad(p, o);
    default:
      throw new Error(`unknown optimizer ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}

type AnyScheduler = lrScheduler.LRScheduler | lrScheduler.ReduceLROnPlateau;

/** `LambdaLR`'s table of factors as a function: `table[min(epoch, length − 1)]`. */
const tableLambda = (table: readonly number[]) => (epoch: number) =>
  table[Math.min(epoch, table.length - 1)]!;

function makeScheduler(optimizer: lrScheduler.AnyOptimizer, spec: TrainingScheduler): AnyScheduler {
  const o: Record<string, unknown> = { ...spec.options };
  if (spec.kind === 'LambdaLR') {
    const t = o.lrLambda as number[] | number[][];
    o.lrLambda = Array.isArray(t[0]) ? (t as number[][]).map(tableLambda) : tableLambda(t as number[]);
  }
  if (spec.kind === 'SequentialLR') {
    o.schedulers = (o.schedulers as TrainingScheduler[]).map((s) => makeScheduler(optimizer, s));
  }
  const Ctor = (lrScheduler as unknown as Record<string, new (opt: unknown, o: unknown) => AnyScheduler>)[
    spec.kind
  ];
  if (Ctor === undefined) throw new Error(`unknown scheduler ${JSON.stringify(spec.kind)}`);
  return new Ctor(optimizer, o);
}

/** The scalar loss of the model's output, as the fixture's `loss` says (see {@link TrainingLoss}). */
function computeLoss(out: Tensor, spec: TrainingLoss, backend: AnyBackend, dtype: DType): Tensor {
  const t = (x: { data: ArrayLike<number>; shape: readonly number[] }) =>
    tensor(x.data, x.shape, { backend, dtype });
  const reduction = spec.reduction ?? 'mean';
  const weight = spec.weight ? t(spec.weight) : undefined;
  const classes = out.shape[out.rank - 1]!;
  let value: Tensor;
  switch (spec.kind) {
    case 'mse':
      value = mseLoss(out, t(spec.target), { reduction });
      break;
    case 'l1':
      value = l1Loss(out, t(spec.target), { reduction });
      break;
    case 'smoothL1':
      value = smoothL1Loss(out, t(spec.target), {
        reduction,
        ...(spec.beta === undefined ? {} : { beta: spec.beta }),
      });
      break;
    case 'huber':
      value = huberLoss(out, t(spec.target), {
        reduction,
        ...(spec.delta === undefined ? {} : { delta: spec.delta }),
      });
      break;
    case 'crossEntropy':
    case 'nll': {
      const logits = ops.reshape(out, [-1, classes]);
      const target =
        spec.target.shape.length === 2 ? t(spec.target) : indices(spec.target.data, spec.target.shape);
      const options = { reduction, ignoreIndex: spec.ignoreIndex ?? -100, ...(weight ? { weight } : {}) };
      value =
        spec.kind === 'nll'
          ? nllLoss(ops.logSoftmax(logits), target as ReturnType<typeof indices>, options)
          : crossEntropy(logits, target, { ...options, labelSmoothing: spec.labelSmoothing ?? 0 });
      break;
    }
    case 'bce':
      value = binaryCrossEntropy(ops.sigmoid(out), t(spec.target), {
        reduction,
        ...(weight ? { weight } : {}),
      });
      break;
    case 'bceWithLogits':
      value = binaryCrossEntropyWithLogits(out, t(spec.target), {
        reduction,
        ...(weight ? { weight } : {}),
        ...(spec.posWeight ? { posWeight: t(spec.posWeight) } : {}),
      });
      break;
    default:
      throw new Error(`unknown loss ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
  return spec.upstream ? ops.sum(ops.mul(value, t(spec.upstream))) : value;
}

/** Runs every step of the fixture on `backend` and compares with the recorded PyTorch values. */
export function runTrainingFixture(
  backend: AnyBackend,
  fixture: TrainingFixture,
  dtype: DType,
  tolerance: Tolerance,
): TrainingResult {
  const errors: Record<string, ErrorStats> = {};
  const problems: string[] = [];
  const check = (name: string, actual: ArrayLike<number>, expected: ArrayLike<number>) => {
    const r = compareValues(actual, expected, tolerance);
    errors[name] = { maxAbs: r.maxAbs, maxRel: r.maxRel };
    if (!r.pass) problems.push(`${name}: max abs error ${r.maxAbs.toExponential(2)}`);
  };
  const model = new FixtureModel(backend, dtype, fixture.model);
  let optimizer: ReturnType<typeof makeOptimizer> | undefined;
  try {
    optimizer = makeOptimizer(model, fixture.optimizer);
    const scheduler = fixture.scheduler ? makeScheduler(optimizer, fixture.scheduler) : undefined;
    model.loadStateDict(fixture.parameters);
    const opt = optimizer;
    fixture.steps.forEach((step, k) => {
      opt.zeroGrad();
      const loss = backward(
        () => computeLoss(model.forward(fixture.input), fixture.loss, backend, dtype),
        model.parameters(),
      );
      const lossValue = loss.item();
      check(`step${k}.loss`, [lossValue], [step.loss]);
      loss.dispose();
      if (fixture.clipGradNorm) {
        const total = clipGradNorm(
          model.parameters(),
          fixture.clipGradNorm.maxNorm,
          fixture.clipGradNorm.normType,
        );
        if (step.totalNorm !== null) check(`step${k}.totalNorm`, [total], [step.totalNorm]);
      }
      if (fixture.clipGradValue !== undefined) clipGradValue(model.parameters(), fixture.clipGradValue);
      for (const [name, p] of model.namedParameters()) {
        const expected = step.grads?.[name];
        if (expected)
          check(
            `step${k}.grad.${name}`,
            p.grad ? p.grad.toArray() : new Float64Array(expected.data.length),
            expected.data,
          );
      }
      const named = new Map(model.namedParameters());
      for (const name of step.noGrad ?? []) {
        // The reader (training-format.ts) checked every name against the model's parameters.
        named.get(name)!.zeroGrad();
      }
      if (step.lr)
        check(
          `step${k}.lr`,
          opt.paramGroups.map((g) => g.lr),
          step.lr,
        );
      opt.step();
      if (step.parameters) {
        const recorded = step.parameters;
        tidy(() => {
          for (const [name, p] of model.namedParameters()) {
            const expected = recorded[name];
            if (expected) check(`step${k}.${name}`, p.value.toArray(), expected.data);
            else problems.push(`step${k}: no reference for parameter ${name}`);
          }
        });
      }
      // ReduceLROnPlateau watches the loss this backend computed, as a training loop would.
      if (scheduler instanceof lrScheduler.ReduceLROnPlateau) scheduler.step(lossValue);
      else scheduler?.step();
    });
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    optimizer?.zeroGrad();
    optimizer?.dispose();
    model.dispose();
  }
  return { name: fixture.name, pass: problems.length === 0, errors, problems };
}
