/**
 * A fair PyTorch reference: which OpenBLAS kernel PyTorch runs on, and whether to run it on a better
 * one. Debian's OpenBLAS 0.3.21 does not recognise some CPUs (an AVX-512 Xeon whose model name the
 * hypervisor hides) and falls back to a generic kernel (`Prescott`), 2.5–3× slower on W2/W3: a ratio
 * against that reference flatters whatever is compared with it. The bench then re-runs PyTorch with
 * `OPENBLAS_CORETYPE` set to the best kernel the CPU's flags allow, once its results were checked
 * against float64 (`verificationPasses`); if they are not right, PyTorch keeps its kernel and no ratio
 * against it is reported. Everything here is pure, so the decision is unit-tested.
 */
import { readFileSync } from 'node:fs';

/** What `/proc/cpuinfo` says about the first processor. */
export interface CpuFeatures {
  /** `vendor_id`: `GenuineIntel`, `AuthenticAMD`, … (`unknown` if absent). */
  readonly vendor: string;
  /** The `flags` line, lower case. */
  readonly flags: ReadonlySet<string>;
}

/** Parses `/proc/cpuinfo` text (the first processor's `vendor_id` and `flags`). */
export function parseCpuinfo(text: string): CpuFeatures {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return {
    vendor: field('vendor_id') || 'unknown',
    flags: new Set(field('flags').toLowerCase().split(/\s+/).filter(Boolean)),
  };
}

/** This machine's CPU features (empty flags where `/proc/cpuinfo` cannot be read: not Linux). */
export function readCpuFeatures(path = '/proc/cpuinfo'): CpuFeatures {
  try {
    return parseCpuinfo(readFileSync(path, 'utf8'));
  } catch {
    return { vendor: 'unknown', flags: new Set() };
  }
}

/** Vector tiers of OpenBLAS's x86-64 kernels: 0 SSE only, 1 AVX, 2 AVX2 + FMA, 3 AVX-512. */
export type Tier = 0 | 1 | 2 | 3;

const tiers: Readonly<Record<string, Tier>> = {
  skylakex: 3,
  cooperlake: 3,
  sapphirerapids: 3,
  haswell: 2,
  zen: 2,
  sandybridge: 1,
  bulldozer: 1,
  piledriver: 1,
  steamroller: 1,
  excavator: 1,
};

/** OpenBLAS kernels below AVX2 (what 0.3.21's `DYNAMIC_ARCH` picks for a CPU it does not know). */
const generic = [
  'katmai',
  'coppermine',
  'northwood',
  'prescott',
  'banias',
  'atom',
  'core2',
  'penryn',
  'dunnington',
  'nehalem',
  'athlon',
  'opteron',
  'opteron(sse3)',
  'barcelona',
  'bobcat',
  'nano',
  'sandybridge',
  'bulldozer',
  'piledriver',
  'steamroller',
  'excavator',
];

/** The tier of an OpenBLAS corename (`openblas_get_corename()`); `undefined` for a name not known here. */
export function kernelTier(corename: string): Tier | undefined {
  const name = corename.trim().toLowerCase();
  if (name in tiers) return tiers[name];
  return generic.includes(name) ? 0 : undefined;
}

/** The best `OPENBLAS_CORETYPE` for a CPU: SkylakeX with avx512f, Zen (AMD) or Haswell with avx2. */
export function bestCoretype(cpu: CpuFeatures): { coretype: string; tier: Tier } | null {
  if (cpu.flags.has('avx512f')) return { coretype: 'SkylakeX', tier: 3 };
  if (cpu.flags.has('avx2') && cpu.flags.has('fma')) {
    return { coretype: cpu.vendor === 'AuthenticAMD' ? 'Zen' : 'Haswell', tier: 2 };
  }
  return null;
}

/** What to do with PyTorch's BLAS kernel. */
export type BlasDecision =
  | { readonly action: 'keep'; readonly reason: string }
  | { readonly action: 'override'; readonly coretype: string; readonly reason: string };

/** Inputs of {@link decideCoretype}. */
export interface BlasSituation {
  readonly cpu: CpuFeatures;
  /** `openblas_get_corename()` in PyTorch's process; `null` when PyTorch's BLAS is not OpenBLAS. */
  readonly corename: string | null;
  /** `OPENBLAS_CORETYPE` as set in the environment PyTorch started with, if any. */
  readonly envCoretype: string | undefined;
}

/**
 * Keep PyTorch's kernel, or re-run it with `OPENBLAS_CORETYPE=<coretype>`: only when OpenBLAS runs a
 * generic (pre-AVX2) kernel on a CPU with AVX2 or AVX-512. A kernel set in the environment is kept
 * unless it is generic too (then the override still has to pass {@link verificationPasses}).
 */
export function decideCoretype(s: BlasSituation): BlasDecision {
  const env = s.envCoretype ? ` (OPENBLAS_CORETYPE=${s.envCoretype} in the environment)` : '';
  if (s.corename === null) {
    return { action: 'keep', reason: `PyTorch's BLAS is not OpenBLAS (no openblas_get_corename)${env}` };
  }
  const tier = kernelTier(s.corename);
  const best = bestCoretype(s.cpu);
  if (tier === undefined) {
    return { action: 'keep', reason: `OpenBLAS kernel ${s.corename}${env}: not one this bench knows, kept` };
  }
  if (best === null) {
    return { action: 'keep', reason: `OpenBLAS kernel ${s.corename}${env}; the CPU has no AVX2/AVX-512` };
  }
  if (tier >= 2) {
    const note = tier < best.tier ? ` (${best.coretype} would suit the CPU better; not generic, kept)` : '';
    return { action: 'keep', reason: `OpenBLAS kernel ${s.corename}${env}${note}` };
  }
  const has = best.tier === 3 ? 'AVX-512' : 'AVX2';
  return {
    action: 'override',
    coretype: best.coretype,
    reason: `OpenBLAS runs its generic ${s.corename} kernel${env} on a CPU with ${has}: ${best.coretype} instead`,
  };
}

/** float32 against float64 in the candidate process (`verify` in `python/torch_bench.py`). */
export interface BlasVerification {
  /** max |a·b (float32) − a·b (float64)| / max |a·b (float64)| for a 192×320 by 320×256 product. */
  readonly productRelError: number;
  /** max |LSTM (float32) − LSTM (float64)| on a 2-layer LSTM, B8 T24 I48 H96. */
  readonly lstmMaxAbsError: number;
  /** The kernel the candidate process reported, which must be the one asked for. */
  readonly corename: string | null;
}

/** Errors a correct float32 kernel stays far below (typical: 3e-7 and 4e-8). */
export const verificationLimits = { productRelError: 1e-4, lstmMaxAbsError: 1e-4 } as const;

/** Whether the re-run may replace the original: right kernel, results within {@link verificationLimits}. */
export function verificationPasses(
  v: BlasVerification,
  wanted: string,
): { pass: true } | { pass: false; reason: string } {
  if ((v.corename ?? '').toLowerCase() !== wanted.toLowerCase()) {
    return { pass: false, reason: `OPENBLAS_CORETYPE=${wanted} gave kernel ${v.corename ?? 'unknown'}` };
  }
  for (const key of ['productRelError', 'lstmMaxAbsError'] as const) {
    const value = v[key];
    if (!(Number.isFinite(value) && value <= verificationLimits[key])) {
      return {
        pass: false,
        reason: `${wanted} results differ from float64: ${key} ${value} > ${verificationLimits[key]}`,
      };
    }
  }
  return { pass: true };
}
