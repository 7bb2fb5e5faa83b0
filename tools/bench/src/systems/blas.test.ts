/** The fair-reference rule: which OpenBLAS kernel PyTorch should run on, and when an override is refused. */
import { describe, expect, it } from 'vitest';
import {
  bestCoretype,
  type CpuFeatures,
  decideCoretype,
  kernelTier,
  parseCpuinfo,
  verificationPasses,
} from './blas.js';

const cpu = (vendor: string, flags: string): CpuFeatures => ({ vendor, flags: new Set(flags.split(' ')) });
const xeon512 = cpu('GenuineIntel', 'sse4_2 avx fma avx2 avx512f avx512bw');
const intelAvx2 = cpu('GenuineIntel', 'sse4_2 avx fma avx2');
const epyc = cpu('AuthenticAMD', 'sse4_2 avx fma avx2');
const oldCpu = cpu('GenuineIntel', 'sse2 sse4_2');

describe('the CPU', () => {
  it('reads vendor and flags from /proc/cpuinfo text', () => {
    const c = parseCpuinfo(
      'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 FMA\n\nprocessor\t: 1\n',
    );
    expect(c.vendor).toBe('AuthenticAMD');
    expect([...c.flags]).toEqual(['fpu', 'avx2', 'fma']);
    expect(parseCpuinfo('').vendor).toBe('unknown');
  });

  it('knows the best kernel: SkylakeX with avx512f, Zen on AMD and Haswell elsewhere with avx2', () => {
    expect(bestCoretype(xeon512)).toEqual({ coretype: 'SkylakeX', tier: 3 });
    expect(bestCoretype(intelAvx2)).toEqual({ coretype: 'Haswell', tier: 2 });
    expect(bestCoretype(epyc)).toEqual({ coretype: 'Zen', tier: 2 });
    expect(bestCoretype(oldCpu)).toBeNull();
  });

  it('ranks OpenBLAS kernels', () => {
    expect(kernelTier('Prescott')).toBe(0);
    expect(kernelTier('Nehalem')).toBe(0);
    expect(kernelTier('Sandybridge')).toBe(1);
    expect(kernelTier('Haswell')).toBe(2);
    expect(kernelTier('ZEN')).toBe(2);
    expect(kernelTier('SkylakeX')).toBe(3);
    expect(kernelTier('Loongson3R4')).toBeUndefined();
  });
});

describe('decideCoretype', () => {
  it('overrides a generic kernel on a CPU with AVX-512 or AVX2 with the best matching one', () => {
    expect(decideCoretype({ cpu: xeon512, corename: 'Prescott', envCoretype: undefined })).toMatchObject({
      action: 'override',
      coretype: 'SkylakeX',
    });
    expect(decideCoretype({ cpu: intelAvx2, corename: 'Nehalem', envCoretype: undefined })).toMatchObject({
      action: 'override',
      coretype: 'Haswell',
    });
    expect(decideCoretype({ cpu: epyc, corename: 'Sandybridge', envCoretype: undefined })).toMatchObject({
      action: 'override',
      coretype: 'Zen',
    });
  });

  it('keeps a kernel that is not generic, and says when a better one exists', () => {
    expect(decideCoretype({ cpu: epyc, corename: 'Zen', envCoretype: undefined }).action).toBe('keep');
    const haswell = decideCoretype({ cpu: xeon512, corename: 'Haswell', envCoretype: undefined });
    expect(haswell.action).toBe('keep');
    expect(haswell.reason).toMatch(/SkylakeX would suit the CPU better/);
  });

  it('reports OPENBLAS_CORETYPE from the environment, and overrides it only when it gives a generic kernel', () => {
    const kept = decideCoretype({ cpu: xeon512, corename: 'SkylakeX', envCoretype: 'SkylakeX' });
    expect(kept).toMatchObject({ action: 'keep' });
    expect(kept.reason).toMatch(/OPENBLAS_CORETYPE=SkylakeX in the environment/);
    const generic = decideCoretype({ cpu: xeon512, corename: 'Prescott', envCoretype: 'Prescott' });
    expect(generic).toMatchObject({ action: 'override', coretype: 'SkylakeX' });
    expect(generic.reason).toMatch(/OPENBLAS_CORETYPE=Prescott in the environment/);
  });

  it('keeps what it cannot judge: no OpenBLAS, an unknown kernel, a CPU without AVX2', () => {
    expect(decideCoretype({ cpu: xeon512, corename: null, envCoretype: undefined }).action).toBe('keep');
    expect(decideCoretype({ cpu: xeon512, corename: 'Whatever', envCoretype: undefined }).action).toBe(
      'keep',
    );
    expect(decideCoretype({ cpu: oldCpu, corename: 'Prescott', envCoretype: undefined }).action).toBe('keep');
  });
});

describe('verificationPasses', () => {
  const good = { productRelError: 3e-7, lstmMaxAbsError: 4e-8, corename: 'SkylakeX' };
  it('accepts the asked-for kernel with float32-sized errors', () => {
    expect(verificationPasses(good, 'SkylakeX')).toEqual({ pass: true });
    expect(verificationPasses({ ...good, corename: 'skylakex' }, 'SkylakeX')).toEqual({ pass: true });
  });
  it('refuses another kernel than the one asked for', () => {
    expect(verificationPasses({ ...good, corename: 'Prescott' }, 'SkylakeX')).toEqual({
      pass: false,
      reason: 'OPENBLAS_CORETYPE=SkylakeX gave kernel Prescott',
    });
  });
  it('refuses wrong or non-finite results', () => {
    const wrong = verificationPasses({ ...good, productRelError: 0.03 }, 'SkylakeX');
    expect(wrong.pass).toBe(false);
    expect(!wrong.pass && wrong.reason).toMatch(/productRelError 0.03 > 0.0001/);
    const nan = verificationPasses({ ...good, lstmMaxAbsError: Number.NaN }, 'SkylakeX');
    expect(!nan.pass && nan.reason).toMatch(/lstmMaxAbsError NaN/);
  });
});
