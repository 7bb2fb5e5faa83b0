/**
 * What `createWebglBackend` checks before and after asking tfjs for its webgl backend, so that a
 * browser that cannot give exact float32 results is refused with the reason, instead of tfjs
 * silently falling back to its cpu backend or computing in float16.
 */
import type { TfjsCore } from '@recur/backend-tfjs';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';

/** Thrown when this browser's WebGL cannot run Recur exactly; the message names what is missing. */
export class WebglUnavailableError extends Error {
  /** Always 'WebglUnavailableError', so errors can be told apart after crossing a worker or realm boundary. */
  override readonly name = 'WebglUnavailableError';
}

/** Before initialization: tfjs's own capability probes (each makes a throwaway context). */
export function checkCapabilities(tf: TfjsCore): void {
  const env = tf.env();
  const version = env.getNumber('WEBGL_VERSION');
  if (version === 0) {
    throw new WebglUnavailableError(
      'webgl: this browser gives no WebGL context (WebGL disabled, blocklisted, or not a browser)',
    );
  }
  if (version < 2) {
    throw new WebglUnavailableError(
      `webgl: needs WebGL 2, but this browser only gives WebGL ${version} (no float32 render targets)`,
    );
  }
  if (env.getBool('WEBGL_FORCE_F16_TEXTURES')) {
    throw new WebglUnavailableError(
      'webgl: tfjs is set to half-float textures (WEBGL_FORCE_F16_TEXTURES); Recur needs float32',
    );
  }
  if (!env.getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
    throw new WebglUnavailableError(
      'webgl: this browser cannot render to float32 textures (WEBGL_RENDER_FLOAT32_ENABLED is false: ' +
        'EXT_color_buffer_float missing); tfjs would compute in float16 and give wrong numbers',
    );
  }
}

/** The WebGL details a runner may print. */
export interface WebglInfo {
  /** 2: checked at creation. */
  readonly webglVersion: number;
  /** The GL renderer string (unmasked when the browser allows), e.g. ANGLE on SwiftShader. */
  readonly renderer: string;
}

/** After initialization: the backend really is tfjs's webgl one, and it renders float32. */
export function inspectInitialized(tf: TfjsCore): { info: WebglInfo; gl: WebGL2RenderingContext } {
  const active = tf.getBackend();
  if (active !== 'webgl') {
    throw new WebglUnavailableError(
      `webgl: tfjs did not start its webgl backend (active backend: '${active}'); ` +
        'the browser refused a WebGL 2 context (e.g. a software-only GPU with failIfMajorPerformanceCaveat)',
    );
  }
  const gl = (tf.backend() as MathBackendWebGL).gpgpu.gl as WebGL2RenderingContext;
  if (!rendersFloat32(tf)) {
    throw new WebglUnavailableError(
      'webgl: a shader pass on this GPU loses float32 precision (float16 render targets?); Recur needs float32',
    );
  }
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug === null ? gl.RENDERER : debug.UNMASKED_RENDERER_WEBGL));
  return { info: { webglVersion: tf.env().getNumber('WEBGL_VERSION'), renderer }, gl };
}

/**
 * Renders `x + x` for values that need all 24 bits of a float32 mantissa and reads them back
 * (tfjs's own `floatPrecision()` answers 16 whenever float32 rendering is enabled, so it cannot tell).
 * 256 elements, so that tfjs runs it on the GPU rather than handing a tiny op to the CPU.
 */
function rendersFloat32(tf: TfjsCore): boolean {
  const x = Float32Array.from({ length: 256 }, (_, i) => 1 + (i + 1) * 2 ** -22);
  const doubled = tf.tidy(() => {
    const t = tf.tensor1d(x);
    return tf.add(t, t).dataSync();
  });
  return x.every((v, i) => doubled[i] === 2 * v);
}
