/**
 * Runs a `recur-train/1` fixture: a tiny model (optional Embedding → recurrent module → Linear), a loss,
 * an optimizer and optional gradient clipping, stepped a few times; compares the loss, the total
 * norm, the gradients and the parameters after every step with PyTorch's. A step may list parameters
 * whose gradient is set to null before `optimizer.step()` (`noGrad`), which the optimizer must skip.
 */
import type { AnyBackend, DType, Tensor } from '@recur/core';
import {
  Adam,
  AdamW,
  backward,
  clipGradNorm,
  crossEntropy,
  Embedding,
  GRU,
  indices,
  Linear,
  LSTM,
  Module,
  mseLoss,
  ops,
  RNN,
  SGD,
  tensor,
  tidy,
} from '@recur/core';
import type { CaseTensor } from './case-format.js';
import type { ErrorStats, Tolerance } from './compare.js';
import { compareValues } from './compare.js';
import type { TrainingFixture } from './training-format.js';

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

type Layer = Embedding | RNN | LSTM | GRU | Linear;

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
                  : undefined;
      if (layer === undefined) throw new Error(`unknown module ${JSON.stringify(module)}`);
      this.layers.push({ name, layer: this.addModule(name, layer) });
    }
  }

  forward(input: CaseTensor): Tensor {
    let x: Tensor | undefined;
    for (const { layer } of this.layers) {
      if (layer instanceof Embedding) x = layer.forward(indices(input.data, input.shape));
      else if (layer instanceof Linear) x = layer.forward(x!);
      else {
        x ??= tensor(input.data, input.shape, { backend: this.backend, dtype: this.dtype });
        x = layer.forward(x)[0];
      }
    }
    return x!;
  }
}

function makeOptimizer(model: Module, spec: TrainingFixture['optimizer']) {
  const params = model.parameters();
  const o = spec.options as Record<string, never>;
  switch (spec.kind) {
    case 'SGD':
      return new SGD(params, {
        lr: o.lr,
        momentum: o.momentum,
        dampening: o.dampening,
        nesterov: o.nesterov,
        weightDecay: o.weightDecay,
      });
    case 'Adam':
    case 'AdamW': {
      const options = {
        lr: o.lr,
        betas: o.betas,
        eps: o.eps,
        weightDecay: o.weightDecay,
        amsgrad: o.amsgrad,
      };
      return spec.kind === 'Adam' ? new Adam(params, options) : new AdamW(params, options);
    }
    default:
      throw new Error(`unknown optimizer ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
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
  const optimizer = makeOptimizer(model, fixture.optimizer);
  try {
    model.loadStateDict(fixture.parameters);
    fixture.steps.forEach((step, k) => {
      optimizer.zeroGrad();
      const loss = backward(() => {
        const out = model.forward(fixture.input);
        if (fixture.loss.kind === 'mse') {
          const target = tensor(fixture.loss.target.data, fixture.loss.target.shape, { backend, dtype });
          return mseLoss(out, target);
        }
        const logits = ops.reshape(out, [-1, out.shape[out.rank - 1]!]);
        return crossEntropy(logits, indices(fixture.loss.target.data, fixture.loss.target.shape), {
          ignoreIndex: fixture.loss.ignoreIndex ?? -100,
        });
      }, model.parameters());
      check(`step${k}.loss`, [loss.item()], [step.loss]);
      loss.dispose();
      if (fixture.clipGradNorm) {
        const total = clipGradNorm(
          model.parameters(),
          fixture.clipGradNorm.maxNorm,
          fixture.clipGradNorm.normType,
        );
        if (step.totalNorm !== null) check(`step${k}.totalNorm`, [total], [step.totalNorm]);
      }
      for (const [name, p] of model.namedParameters()) {
        const expected = step.grads[name];
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
      optimizer.step();
      tidy(() => {
        for (const [name, p] of model.namedParameters()) {
          const expected = step.parameters[name];
          if (expected) check(`step${k}.${name}`, p.value.toArray(), expected.data);
          else problems.push(`step${k}: no reference for parameter ${name}`);
        }
      });
    });
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    optimizer.zeroGrad();
    optimizer.dispose();
    model.dispose();
  }
  return { name: fixture.name, pass: problems.length === 0, errors, problems };
}
