/**
 * Running Recur's programs as tfjs kernels. Each program kind is registered once under its name
 * (`RecurLstmStep`, …) for the `webgl` backend, so the engine tracks its outputs like any kernel's
 * and profilers name it. The program itself (sizes baked into its GLSL) travels in the kernel's
 * attributes; tfjs caches the compiled shader by its source and input shapes.
 */
import type { TfjsCore, TfTensor } from '@recur/backend-tfjs';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { NamedAttrMap, NamedTensorMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { RecurProgram } from './program.js';

/** Every program kind's kernel name. */
export const PROGRAM_KERNELS = [
  'RecurStackRows',
  'RecurJoinColumns',
  'RecurCopy',
  'RecurLstmStep',
  'RecurLstmProject',
  'RecurLstmFactors',
  'RecurLstmStepBack',
  'RecurLstmProjectBack',
  'RecurLstmGateGrads',
  'RecurGruStep',
  'RecurGruFactors',
  'RecurGruStepBack',
  'RecurGruGateGrads',
  'RecurRnnStep',
  'RecurRnnStepBack',
  'RecurRnnGateGrads',
] as const;

interface ProgramAttrs {
  readonly program: RecurProgram;
  /** The `recurT` uniform of step programs. */
  readonly step: number;
}

function runOnWebgl({
  inputs,
  backend,
  attrs,
}: {
  inputs: NamedTensorMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const { program, step } = attrs as unknown as ProgramAttrs;
  const ordered = program.variableNames.map((name) => inputs[name] as TensorInfo);
  const uniforms = program.customUniforms === undefined ? undefined : [[step]];
  return (backend as MathBackendWebGL).runWebGLProgram(program, ordered, 'float32', uniforms);
}

/** Registers the program kernels for tfjs's `webgl` backend (once per tfjs instance). */
export function registerProgramKernels(tf: TfjsCore): void {
  for (const kernelName of PROGRAM_KERNELS) {
    if (tf.getKernel(kernelName, 'webgl') === undefined) {
      tf.registerKernel({ kernelName, backendName: 'webgl', kernelFunc: runOnWebgl as never });
    }
  }
}

/** Runs `program` on `inputs` (by variable name) at time step `step`. */
export function runProgram(
  tf: TfjsCore,
  program: RecurProgram,
  inputs: Readonly<Record<string, TfTensor>>,
  step = 0,
): TfTensor {
  const attrs: ProgramAttrs = { program, step };
  return tf
    .engine()
    .runKernel(program.name, inputs as NamedTensorMap, attrs as unknown as NamedAttrMap) as TfTensor;
}
