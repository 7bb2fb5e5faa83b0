/**
 * Builds, validates and compiles the kernel module, and detects which SIMD flavour this engine runs.
 *
 * Detection is by `WebAssembly.validate` of the very bytes we would run: relaxed SIMD (FMA) first,
 * then plain simd128 (mul+add). Node 20 keeps relaxed SIMD behind `--experimental-wasm-relaxed-simd`;
 * when `process.getBuiltinModule` exists (Node ≥ 20.16) we set that V8 flag before validating, which
 * only enables an instruction set for modules compiled afterwards. Browsers ship relaxed SIMD without
 * a flag (Chrome ≥ 114) or not at all, and then get the mul+add variant.
 */

import { assembleModule, type FunctionBuilder } from './assembler.js';
import { type CellExports, emitCellKernels } from './cell-kernels.js';
import { emitGemmKernels, type GemmExports } from './gemm-kernels.js';
import { emitLayoutKernels, type LayoutExports } from './layout-kernels.js';
import { emitReduceKernels, type ReduceExports } from './reduce-kernels.js';

/** Every function the kernel module exports. */
export interface KernelExports extends GemmExports, CellExports, ReduceExports, LayoutExports {}

/** Which instructions a module uses, and the tile height that suits them. */
export interface KernelFlavour {
  /** `f32x4.relaxed_madd` (one FMA) instead of `f32x4.mul` + `f32x4.add`. */
  readonly relaxed: boolean;
  /** Micro-tile rows: 6 with FMA, 5 with mul+add (see `gemm-kernels.ts`). */
  readonly mr: number;
}

/** Maximum memory for shared (threaded) modules: 4 GiB, the wasm32 limit (only address space is reserved). */
export const SHARED_MAXIMUM_PAGES = 65536;

/** Emitted bytes by flavour and memory kind: detection validates the very bytes that are compiled. */
const emitted = new Map<string, Uint8Array<ArrayBuffer>>();

/** The module's bytes for a flavour and memory kind (emitted once per process, ~10 ms). */
export function emitKernelModule(flavour: KernelFlavour, shared: boolean): Uint8Array<ArrayBuffer> {
  const key = `${flavour.relaxed}/${flavour.mr}/${shared}`;
  let bytes = emitted.get(key);
  if (bytes === undefined) {
    const functions: FunctionBuilder[] = [];
    emitGemmKernels(functions, flavour.mr, flavour.relaxed);
    emitCellKernels(functions, flavour.relaxed);
    emitReduceKernels(functions);
    emitLayoutKernels(functions);
    bytes = assembleModule(functions, {
      initial: 1,
      maximum: shared ? SHARED_MAXIMUM_PAGES : undefined,
      shared,
    });
    emitted.set(key, bytes);
  }
  return bytes;
}

/** FMA flavour: 6×8 tiles (see `gemm-kernels.ts`). */
export const RELAXED_FLAVOUR: KernelFlavour = { relaxed: true, mr: 6 };
/** mul+add flavour for engines without relaxed SIMD: 5×8 tiles. */
export const PLAIN_FLAVOUR: KernelFlavour = { relaxed: false, mr: 5 };

/** Result of {@link detectFlavour}: the flavour to use, or why there is none. */
export type Detection = { readonly flavour: KernelFlavour } | { readonly unavailable: string };

let detected: Detection | undefined;

/** The best flavour this engine validates (cached for the process). */
export function detectFlavour(): Detection {
  if (detected !== undefined) return detected;
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
    detected = { unavailable: 'this JavaScript engine has no WebAssembly' };
    return detected;
  }
  enableRelaxedSimdFlag();
  if (WebAssembly.validate(emitKernelModule(RELAXED_FLAVOUR, false))) detected = { flavour: RELAXED_FLAVOUR };
  else if (WebAssembly.validate(emitKernelModule(PLAIN_FLAVOUR, false)))
    detected = { flavour: PLAIN_FLAVOUR };
  else detected = { unavailable: 'WebAssembly.validate rejects the simd128 kernel module' };
  return detected;
}

/** Compiled modules by flavour and memory kind: compiling is per process, instantiating per backend. */
const compiled = new Map<string, WebAssembly.Module>();

/** The compiled kernel module (compiled synchronously once, then cached). */
export function kernelModule(flavour: KernelFlavour, shared: boolean): WebAssembly.Module {
  const key = `${flavour.relaxed}/${flavour.mr}/${shared}`;
  let module = compiled.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(emitKernelModule(flavour, shared));
    compiled.set(key, module);
  }
  return module;
}

/** Turns on relaxed SIMD in Node 20 (a no-op where the flag or `process.getBuiltinModule` is missing). */
function enableRelaxedSimdFlag(): void {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = proc?.getBuiltinModule?.('node:v8') as
    | { setFlagsFromString?: (flags: string) => void }
    | undefined;
  try {
    v8?.setFlagsFromString?.('--experimental-wasm-relaxed-simd');
  } catch {
    // An engine without this flag simply keeps its defaults; detection below decides.
  }
}
