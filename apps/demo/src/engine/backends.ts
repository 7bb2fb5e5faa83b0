/**
 * Creating each Recur backend inside an engine (a worker, or the page as a fallback). Each factory
 * is imported only when its backend is asked for, so the js engine never loads tfjs.
 */
import type { AnyBackend } from '@recur/core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from './protocol.js';

/** A created backend and the line the page shows about it. */
export interface CreatedBackend {
  readonly backend: AnyBackend;
  /** e.g. `WebAssembly SIMD kernels` or the WebGL renderer. */
  readonly detail: string;
  /** Present for webgl: makes the context lost (the "simulate" button), to show recovery. */
  readonly loseContext?: () => void;
}

/** The tfjs-wasm binaries, bundled by Vite into `dist/assets` (served with the page, never fetched from a CDN). */
const wasmPaths = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

/** Creates the backend `name`; throws with the reason when this browser cannot run it. */
export async function createBackend(name: BackendName): Promise<CreatedBackend> {
  switch (name) {
    case 'js': {
      const { createJsBackend } = await import('@recur/backend-js');
      const backend = createJsBackend();
      // Which kernel tier the js backend picked (WebAssembly SIMD or plain TypeScript) and why.
      return { backend, detail: backend.kernelInfo.detail };
    }
    case 'wasm': {
      const { createWasmBackend } = await import('@recur/backend-wasm');
      // Relative URLs resolve against the worker's own URL inside tfjs; make them absolute.
      const absolute = Object.fromEntries(
        Object.entries(wasmPaths).map(([file, url]) => [file, new URL(url, import.meta.url).href]),
      );
      const backend = await createWasmBackend({ wasmPaths: absolute });
      const tf = await import('@tensorflow/tfjs-core');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      return {
        backend,
        detail: `tfjs-wasm ${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'threads' : '1 thread (page not cross-origin isolated)'}`,
      };
    }
    case 'tfjs-cpu': {
      const { createTfjsCpuBackend } = await import('@recur/backend-tfjs-cpu');
      return { backend: await createTfjsCpuBackend(), detail: "tfjs's plain JavaScript engine" };
    }
    case 'webgl': {
      const { createWebglBackend } = await import('@recur/backend-webgl');
      const backend = await createWebglBackend();
      const gl = (backend.tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
      return {
        backend,
        detail: `WebGL ${backend.webglVersion}, ${backend.renderer}`,
        loseContext: () => gl.getExtension('WEBGL_lose_context')?.loseContext(),
      };
    }
  }
}
