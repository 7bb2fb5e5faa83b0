/**
 * Recur's WebGL shader programs are plain tfjs `GPGPUProgram`s (unpacked float32 textures in and
 * out, one value per texel), each registered as a tfjs kernel so that the engine tracks their
 * outputs like any other tensor and `tf.profile` names them.
 *
 * Every program takes its sizes as compile-time constants (loop bounds must be constant in GLSL ES);
 * the time step, which changes every dispatch of a sequence, is the `recurT` uniform, so a whole
 * sequence reuses one compiled shader.
 */
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';

/** A program with a name for dispatch reports (tfjs names its own programs by class). */
export interface RecurProgram extends GPGPUProgram {
  readonly name: string;
}

/** The per-dispatch uniform: the time step a step program works on. */
export const STEP_UNIFORM = [{ name: 'recurT', type: 'int' as const }];

/**
 * σ and tanh written to stay finite and exact in float32: σ from exp(−|x|) (no overflow), tanh as
 * tfjs's webgl kernel writes it (the GLSL built-in loses precision near 0 on some GPUs); relu keeping NaN.
 */
export const ACTIVATIONS = `
  float recurSigmoid(float x) {
    float e = exp(-abs(x));
    return x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  }
  float recurTanh(float x) {
    float e2x = exp(-2.0 * abs(x));
    return sign(x) * (1.0 - e2x) / (1.0 + e2x);
  }
  float recurRelu(float x) {
    // max(NaN, 0.0) is 0.0 on some GL drivers (SwiftShader): NaN must survive, as in PyTorch. The test
    // reads the bits, since isnan() may be optimised away.
    return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u ? x : max(x, 0.0);
  }
`;

/**
 * GLSL that returns `otherwise` for batch row `n` when step `recurT` is past its length, i.e. the
 * row is frozen (packed sequences); empty when every row runs every step.
 */
export const frozenRow = (masked: boolean, n: string, otherwise: string): string =>
  masked ? `if (float(recurT) >= getLengths(${n})) { setOutput(${otherwise}); return; }` : '';

/** The same test for row `r` of a time-stacked `[steps·N, …]` tensor (batch programs). */
export const paddedRow = (masked: boolean, r: string, batch: number): string =>
  masked ? `(float(${r} / ${batch}) >= getLengths(${r} - (${r} / ${batch}) * ${batch}))` : 'false';
