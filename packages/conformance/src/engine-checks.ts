/**
 * What every backend must guarantee besides numbers: an error inside `valueAndGrads` or `tidy` leaks
 * nothing and leaves the backend usable, nested gradients are refused (never silently mixed into the
 * outer tape), released tensors say so, and NaN and ±Infinity travel as IEEE arithmetic says (a NaN
 * turned into 0 makes a diverged model look converged). Each check returns its problems (none = pass),
 * so the command line and vitest can both run them.
 */
import type { AnyBackend, DType, Tensor } from '@recur/core';
import { crossEntropy, Generator, GRU, LSTM, ops, RNN, tensor, tidy, valueAndGrads } from '@recur/core';

/** One guarantee and how to check it on a backend. */
export interface EngineCheck {
  /** The guarantee, as a sentence (the test's name). */
  readonly name: string;
  /** Checks the guarantee on `backend` in `dtype`; returns the problems found, none when it holds. */
  readonly run: (backend: AnyBackend, dtype: DType) => string[];
}

const boom = new Error('boom: thrown on purpose by the conformance suite');

/** Runs `fn`, expecting it to throw; returns the message, or undefined when it did not throw. */
function thrown(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}

const unaryOps = ['neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'relu'] as const;

/** The checks, in the order the suite runs them. */
export const engineChecks: EngineCheck[] = [
  {
    name: 'an error inside valueAndGrads releases every tensor, and the next gradient is right',
    run(backend, dtype) {
      const problems: string[] = [];
      const x = tensor([1, 2, 3], [3], { backend, dtype });
      const before = backend.liveTensors();
      const message = thrown(() =>
        valueAndGrads(() => {
          ops.sum(ops.mul(ops.tanh(x), ops.exp(x)));
          throw boom;
        }, [x]),
      );
      if (message !== boom.message) problems.push(`expected the thrown error, got ${String(message)}`);
      const leaked = backend.liveTensors() - before;
      if (leaked !== 0) problems.push(`${leaked} tensors leaked by the failed valueAndGrads`);
      const { value, grads } = valueAndGrads(() => ops.sum(ops.mul(x, x)), [x]);
      const g = Array.from(grads[0]!.toArray());
      if (value.item() !== 14 || g.join() !== '2,4,6') {
        problems.push(
          `after the failure, d Σx²/dx = [${g.join(', ')}] (value ${value.item()}), expected [2, 4, 6]`,
        );
      }
      for (const t of [value, ...grads, x]) t.dispose();
      return problems;
    },
  },
  {
    name: 'nested valueAndGrads is refused with a clear error and leaks nothing',
    run(backend, dtype) {
      const x = tensor([1, 2], [2], { backend, dtype });
      const before = backend.liveTensors();
      const message = thrown(() =>
        valueAndGrads(() => {
          valueAndGrads(() => ops.sum(x), [x]);
          return ops.sum(ops.mul(x, x));
        }, [x]),
      );
      const problems: string[] = [];
      if (message === undefined || !/nested/i.test(message)) {
        problems.push(`expected an error saying nested calls are not supported, got ${String(message)}`);
      }
      const leaked = backend.liveTensors() - before;
      if (leaked !== 0) problems.push(`${leaked} tensors leaked`);
      x.dispose();
      return problems;
    },
  },
  {
    name: 'tidy releases what its function created when it throws; disposed tensors say so',
    run(backend, dtype) {
      const problems: string[] = [];
      const before = backend.liveTensors();
      let made: Tensor | undefined;
      const message = thrown(() =>
        tidy(() => {
          made = ops.exp(tensor([1, 2], [2], { backend, dtype }));
          throw boom;
        }),
      );
      if (message !== boom.message) problems.push(`expected the thrown error, got ${String(message)}`);
      if (backend.liveTensors() !== before) problems.push(`${backend.liveTensors() - before} tensors leaked`);
      if (made !== undefined && !made.isDisposed)
        problems.push('a tensor released by tidy is not isDisposed');
      const kept = tensor([1], [1], { backend, dtype });
      if (kept.isDisposed) problems.push('a live tensor reports isDisposed');
      kept.dispose();
      if (!kept.isDisposed) problems.push('a disposed tensor does not report isDisposed');
      return problems;
    },
  },
  {
    name: 'NaN propagates through every unary and binary op, scale, sum, max and matMul',
    run(backend, dtype) {
      const problems: string[] = [];
      tidy(() => {
        // NaN at every position of a vector long enough for SIMD lanes and their scalar tail.
        const size = 19;
        const data = Array.from({ length: size }, (_, i) => (i % 3 === 0 ? Number.NaN : i / 7 - 1));
        const nan = tensor(data, [size], { backend, dtype });
        const expectNaN = (what: string, t: Tensor) => {
          const values = t.toArray();
          const wrong = data.flatMap((v, i) => (Number.isNaN(v) && !Number.isNaN(values[i]) ? [i] : []));
          if (values.length === data.length && wrong.length > 0)
            problems.push(`${what}(NaN) = ${values[wrong[0]!]} at index ${wrong[0]}, expected NaN`);
          if (values.length !== data.length && !values.some(Number.isNaN))
            problems.push(`${what} of a vector with NaN = ${values[0]}, expected NaN`);
        };
        for (const op of unaryOps) expectNaN(op, ops[op](nan));
        expectNaN('add', ops.add(nan, nan));
        expectNaN('mul by 0', ops.mul(nan, tensor(new Array(size).fill(0), [size], { backend, dtype })));
        expectNaN('scale by 0', ops.scale(nan, 0));
        expectNaN('sum', ops.sum(nan));
        expectNaN('max', ops.max(nan));
        expectNaN(
          'matmul',
          ops.matmul(
            ops.reshape(nan, [1, size]),
            tensor(new Array(size).fill(1), [size, 1], { backend, dtype }),
          ),
        );
        expectNaN('logSoftmax', ops.logSoftmax(nan));
      });
      return problems;
    },
  },
  {
    name: 'NaN in the input propagates through every recurrent cell, fused and composed',
    run(backend, dtype) {
      const problems: string[] = [];
      const paths = backend.fused ? (['fused', 'composed'] as const) : (['composed'] as const);
      for (const path of paths) {
        tidy(() => {
          const options = { inputSize: 2, hiddenSize: 3, backend, dtype, path };
          const modules = [
            new RNN({ ...options, nonlinearity: 'relu' }),
            new RNN(options),
            new LSTM(options),
            new GRU(options),
          ];
          // Two rows: engines may take another product path for one row than for several.
          const x = tensor([Number.NaN, 0, 0.3, 0.1, 0.5, -0.5, 0.2, 0.4], [2, 2, 2], { backend, dtype });
          for (const m of modules) {
            const [out] = m.forward(x);
            // Row 0 starts with NaN and carries it on; row 1 is finite throughout.
            const values = Array.from(ops.slice(out, [0, 0, 0], [2, 1, 3]).toArray());
            if (!values.every(Number.isNaN)) {
              problems.push(
                `${m.constructor.name}${m instanceof RNN ? `(${m.nonlinearity})` : ''} ${path}: output [${values.join(', ')}] for a NaN input, expected all NaN`,
              );
            }
            m.dispose();
          }
        });
      }
      return problems;
    },
  },
  {
    name: 'dropout between layers draws the same masks on every path and in either layout',
    run(backend, dtype) {
      const problems: string[] = [];
      tidy(() => {
        // Time-major [T=4, N=2, I=3]; the batch-first runs get the same sequence as [N, T, I].
        const values = [0.3, -0.2, 0.5, 0.1, 0.4, -0.6, -0.3, 0.2, 0.7, 0.05, -0.4, 0.25];
        const x = tensor([...values, ...values.map((v) => v / 2)], [4, 2, 3], { backend, dtype });
        const paths = backend.fused ? (['composed', 'fused'] as const) : (['composed'] as const);
        const outputs: { label: string; data: number[] }[] = [];
        for (const path of paths) {
          for (const batchFirst of [false, true]) {
            // The same seed for the weights and the masks: only the path and the layout differ.
            const lstm = new LSTM({
              ...{ inputSize: 3, hiddenSize: 4, numLayers: 3, dropout: 0.5, batchFirst },
              ...{ backend, dtype, path, generator: new Generator(11) },
            });
            const [out] = lstm.forward(batchFirst ? ops.transpose(x, [1, 0, 2]) : x);
            const timeMajor = batchFirst ? ops.transpose(out, [1, 0, 2]) : out;
            outputs.push({
              label: `${path}, batchFirst ${batchFirst}`,
              data: Array.from(timeMajor.toArray()),
            });
            lstm.dispose();
          }
        }
        const [first, ...rest] = outputs;
        // The masks must matter at all, or equal outputs would prove nothing.
        const plain = new LSTM({
          ...{ inputSize: 3, hiddenSize: 4, numLayers: 3, dropout: 0 },
          ...{ backend, dtype, path: 'composed' as const, generator: new Generator(11) },
        });
        const undropped = Array.from(plain.forward(x)[0].toArray());
        plain.dispose();
        if (Math.max(...undropped.map((v, i) => Math.abs(v - first!.data[i]!))) < 1e-3)
          problems.push('dropout 0.5 changed nothing: no check');
        for (const other of rest) {
          const worst = Math.max(...other.data.map((v, i) => Math.abs(v - first!.data[i]!)));
          if (!(worst <= 1e-5)) {
            problems.push(
              `${other.label} differs from ${first!.label} by up to ${worst} (different dropout masks?)`,
            );
          }
        }
      });
      return problems;
    },
  },
  {
    name: '-Infinity in logSoftmax leaves the other entries and the gradient finite',
    run(backend, dtype) {
      const problems: string[] = [];
      const x = tensor([Number.NEGATIVE_INFINITY, 0, 1], [1, 3], { backend, dtype });
      // Picked by slicing: multiplying by a 0/1 mask would itself make 0 · (−∞) = NaN.
      const { value, grads } = valueAndGrads(
        () => ops.sum(ops.slice(ops.logSoftmax(x), [0, 1], [1, 1])),
        [x],
      );
      const expected = -Math.log(1 + Math.E);
      if (!(Math.abs(value.item() - expected) < 1e-5))
        problems.push(`log p₁ = ${value.item()}, expected ${expected}`);
      const g = Array.from(grads[0]!.toArray());
      if (!g.every(Number.isFinite)) problems.push(`gradient [${g.join(', ')}] is not finite`);
      for (const t of [x, value, ...grads]) t.dispose();
      return problems;
    },
  },
  {
    name: 'crossEntropy with a −Infinity logit of another class is finite, as in PyTorch',
    run(backend, dtype) {
      const problems: string[] = [];
      // Row 0: logits [−∞, 0, 1], target 1: loss log(1 + e), gradient softmax − onehot = [0, 1/(1+e) − 1, e/(1+e)].
      // Row 1 is ignored (ignoreIndex) and contributes nothing.
      const x = tensor([Number.NEGATIVE_INFINITY, 0, 1, 0.5, Number.NEGATIVE_INFINITY, 2], [2, 3], {
        backend,
        dtype,
      });
      for (const reduction of ['mean', 'sum'] as const) {
        const { value, grads } = valueAndGrads(() => crossEntropy(x, [1, -100], { reduction }), [x]);
        const e = Math.E;
        const expected = [0, 1 / (1 + e) - 1, e / (1 + e), 0, 0, 0];
        if (!(Math.abs(value.item() - Math.log(1 + e)) < 1e-5)) {
          problems.push(`${reduction}: loss ${value.item()}, expected log(1 + e) = ${Math.log(1 + e)}`);
        }
        const g = Array.from(grads[0]!.toArray());
        if (!g.every((v, i) => Math.abs(v - expected[i]!) < 1e-5)) {
          problems.push(`${reduction}: gradient [${g.join(', ')}], expected [${expected.join(', ')}]`);
        }
        for (const t of [value, ...grads]) t.dispose();
      }
      x.dispose();
      return problems;
    },
  },
];
