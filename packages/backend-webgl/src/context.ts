/**
 * Context loss. The browser may take the WebGL context away at any time (GPU reset, too many
 * contexts, `WEBGL_lose_context`); tfjs does not notice, and a lost context reads back zeros. The
 * backend therefore checks before every operation and after every read, and throws instead.
 */

/** Thrown by every operation of a backend whose WebGL context is gone. */
export class WebglContextLostError extends Error {
  /** Always 'WebglContextLostError', so errors can be told apart after crossing a worker or realm boundary. */
  override readonly name = 'WebglContextLostError';
}

/** Watches one context; `assertUsable` throws once it has been lost. */
export interface ContextWatch {
  readonly lost: () => boolean;
  readonly assertUsable: () => void;
}

/** Starts watching `gl` (the context tfjs's webgl backend renders with). */
export function watchContext(gl: WebGL2RenderingContext): ContextWatch {
  let lostEvent = false;
  const canvas = gl.canvas as EventTarget;
  // The event arrives asynchronously; `isContextLost()` knows at once. Both are checked.
  canvas.addEventListener('webglcontextlost', () => {
    lostEvent = true;
  });
  const lost = () => lostEvent || gl.isContextLost();
  return {
    lost,
    assertUsable() {
      if (lost()) {
        throw new WebglContextLostError(
          'webgl: WebGL context lost (GPU reset, browser reclaimed it, or WEBGL_lose_context); every ' +
            'tensor of this backend is gone. Create a new backend with createWebglBackend().',
        );
      }
    },
  };
}
