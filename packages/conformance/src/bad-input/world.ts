/**
 * The world most cases run in: a small trained model whose every piece of state is populated, so a
 * bad call has something to break. An LSTM and a Linear head, an Adam optimizer over the LSTM and an
 * SGD with momentum over the head, each after one step (so both hold state), and gradients from a
 * second `backward` (so every `grad` is set).
 */
import type { AnyBackend, DType, Module, Parameter, Tensor } from '@recur/core';
import { Adam, backward, Generator, Linear, LSTM, mseLoss, ops, randn, SGD, tensor } from '@recur/core';
import type { AnyOptimizer, BadInputCase, BadInputEnv, BadInputWorld } from './types.js';

/** The standard world and helpers to make (tracked) arguments on its backend. */
export interface StandardWorld extends BadInputWorld {
  /** The environment the world was built on. */
  readonly env: BadInputEnv;
  /** The backend under test (`env.backend`), where the world's tensors live. */
  readonly backend: AnyBackend;
  /** The dtype of the world's tensors (`env.dtype`). */
  readonly dtype: DType;
  /** The LSTM and the head, then any module `adopt`ed. */
  readonly modules: Module[];
  /** The Adam then the SGD optimizer. */
  readonly optimizers: AnyOptimizer[];
  /** Backends whose live-tensor counts are compared: the backend under test, then any other one a case uses. */
  readonly backends: AnyBackend[];
  /** `inputSize` 3, `hiddenSize` 4, one layer, time-major. */
  readonly lstm: LSTM;
  /** 4 → 2. */
  readonly head: Linear;
  /** The LSTM's parameters then the head's: every one has a gradient. */
  readonly params: Parameter[];
  /** Adam over the LSTM's parameters (state after one step). */
  readonly adam: Adam;
  /** SGD with momentum over the head's parameters (a momentum buffer after one step). */
  readonly sgd: SGD;
  /** A valid input `[T = 5, N = 2, 3]`. */
  readonly x: Tensor;
  /** A valid initial hidden state for `x`, `[1, 2, 4]`. */
  readonly h0: Tensor;
  /** A valid initial cell state for `x`, `[1, 2, 4]`. */
  readonly c0: Tensor;
  /** The head's target `[2, 2]`. */
  readonly target: Tensor;
  /** The model's loss (LSTM → last h → head → MSE). */
  loss(): Tensor;
  /** A tracked tensor of `shape` with seeded values, on `on` (default: the world's backend) in `dtype`. */
  make(shape: readonly number[], options?: { on?: AnyBackend; dtype?: DType }): Tensor;
  /** A tensor of `shape` that has been disposed. */
  disposed(shape: readonly number[]): Tensor;
  /** Adds a module to the snapshot (and to what the world releases); returns it. */
  adopt<M extends Module>(module: M): M;
  /** Releases `t` with the world. */
  track<T extends Tensor>(t: T): T;
}

/** Builds the standard world on `env`. */
export function standardWorld(env: BadInputEnv): StandardWorld {
  const { backend, dtype } = env;
  const generator = new Generator(7);
  const placement = { backend, dtype, generator };
  const tensors: Tensor[] = [];
  const track = <T extends Tensor>(t: T): T => {
    tensors.push(t);
    return t;
  };
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, ...placement });
  const head = new Linear({ inFeatures: 4, outFeatures: 2, ...placement });
  const modules: Module[] = [lstm, head];
  const optimizers: AnyOptimizer[] = [];
  const backends = [backend];
  const dispose = () => {
    for (const o of optimizers) o.dispose();
    for (const m of modules) m.dispose();
    for (const t of tensors) t.dispose();
  };
  try {
    const x = track(randn([5, 2, 3], placement));
    const h0 = track(randn([1, 2, 4], placement));
    const c0 = track(randn([1, 2, 4], placement));
    const target = track(randn([2, 2], placement));
    const loss = () => {
      const [, [hn]] = lstm.forward(x, [h0, c0]);
      return mseLoss(head.forward(ops.index0(hn, 0)), target);
    };
    const params = [...lstm.parameters(), ...head.parameters()];
    const adam = new Adam(lstm.parameters(), { lr: 0.01 });
    const sgd = new SGD(head.parameters(), { lr: 0.1, momentum: 0.9 });
    optimizers.push(adam as unknown as AnyOptimizer, sgd as unknown as AnyOptimizer);
    backward(loss, params).dispose();
    adam.step();
    sgd.step();
    for (const p of params) p.zeroGrad();
    backward(loss, params).dispose();
    const make = (shape: readonly number[], options: { on?: AnyBackend; dtype?: DType } = {}) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = Array.from({ length: size }, (_, i) => Math.sin(i + 1) / 2);
      return track(tensor(data, shape, { backend: options.on ?? backend, dtype: options.dtype ?? dtype }));
    };
    return {
      env,
      backend,
      dtype,
      modules,
      optimizers,
      backends,
      lstm,
      head,
      params,
      adam,
      sgd,
      x,
      h0,
      c0,
      target,
      loss,
      make,
      disposed(shape) {
        const t = make(shape);
        t.dispose();
        return t;
      },
      adopt(module) {
        modules.push(module);
        return module;
      },
      track,
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** A world with nothing in it, for calls that touch no backend (the case reader). */
export function emptyWorld(env: BadInputEnv): BadInputWorld {
  return { modules: [], optimizers: [], backends: [env.backend], dispose() {} };
}

/** The second backend instance of `world`, added to the backends whose counts are compared. */
export function otherBackend(world: StandardWorld): AnyBackend {
  const other = world.env.other;
  if (other === undefined) throw new Error('this case needs a second backend instance (declare needs)');
  if (!world.backends.includes(other)) world.backends.push(other);
  return other;
}

/** A dtype of the world's backend other than the one under test. */
export function otherDtype(world: StandardWorld): DType {
  const dtype = world.backend.dtypes.find((d) => d !== world.dtype);
  if (dtype === undefined) throw new Error('this case needs a second dtype (declare needs)');
  return dtype;
}

/** The parts of a case on the standard world: `args` builds the bad arguments before the call. */
export interface StandardCaseSpec<A> {
  /** The case's name in reports. */
  readonly name: string;
  /** What the case needs to run; without it the case is skipped. */
  readonly needs?: BadInputCase['needs'];
  /** Builds the arguments of the bad call (tracked tensors, extra modules) on the world. */
  readonly args?: (world: StandardWorld) => A;
  /** Makes the bad call on the world with the arguments `args` built; it must throw. */
  readonly call: (world: StandardWorld, args: A) => unknown;
  /** Patterns the thrown error's message must all match. */
  readonly expect: readonly RegExp[];
}

/** A case on the standard world. */
export function onStandardWorld<A = undefined>(spec: StandardCaseSpec<A>): BadInputCase {
  type W = StandardWorld & { readonly args: A };
  const c: BadInputCase<W> = {
    name: spec.name,
    ...(spec.needs === undefined ? {} : { needs: spec.needs }),
    expect: spec.expect,
    setup(env) {
      const world = standardWorld(env);
      try {
        return Object.assign(world, { args: spec.args ? spec.args(world) : (undefined as A) });
      } catch (error) {
        world.dispose();
        throw error;
      }
    },
    call: (world) => spec.call(world, world.args),
  };
  return c as unknown as BadInputCase;
}
