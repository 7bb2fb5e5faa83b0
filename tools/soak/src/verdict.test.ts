/** The verdict from synthetic series: flat passes, and each kind of growth, a NaN or an error fails. */
import { describe, expect, it } from 'vitest';
import type { Sample, Series } from './series.js';
import { defaultBounds, judge } from './verdict.js';

const MB = 1024 * 1024;
const steps = 1000;

/** A series sampled every 10 steps; `at(step)` gives what differs from a healthy sample. */
function series(at: (step: number) => Partial<Sample> = () => ({}), extra: Partial<Series> = {}): Series {
  const samples: Sample[] = [];
  for (let step = 0; step <= steps; step += 10) {
    samples.push({
      step,
      liveTensors: step === 0 ? 20 : 80,
      // Noise of ±40 KB around a flat heap and ±3 MB around a flat RSS, as measured after gc().
      heapUsed: 9 * MB + ((step * 7919) % 80) * 1024 - 40 * 1024,
      rss: 160 * MB + ((step * 104729) % 6) * MB - 3 * MB,
      gpuBytes: null,
      mse: 0.1,
      ce: 0.5,
      trainMs: step * 10,
      ...at(step),
    });
  }
  return {
    backend: 'test',
    steps,
    mode: 'alone',
    detail: '',
    samples,
    nonFinite: null,
    error: null,
    ...extra,
  };
}

function failed(s: Series): string[] {
  return judge(s)
    .checks.filter((c) => !c.pass)
    .map((c) => c.name);
}

describe('judge', () => {
  it('passes a flat series: tensors exact after warm-up, heap and RSS noisy but level', () => {
    const v = judge(series());
    expect(v.pass).toBe(true);
    expect(v.checks.map((c) => c.name)).toEqual(['steps', 'loss', 'liveTensors', 'heap', 'rss']);
  });

  it('tolerates any live-tensor movement during warm-up only', () => {
    const warm = Math.ceil(steps * defaultBounds.warmup);
    expect(judge(series((step) => ({ liveTensors: step < warm ? 20 + step : 80 }))).pass).toBe(true);
  });

  it('fails one tensor more per hundred steps after warm-up', () => {
    const s = series((step) => ({ liveTensors: 80 + Math.floor(step / 100) }));
    expect(failed(s)).toEqual(['liveTensors']);
    expect(judge(s).checks.find((c) => c.name === 'liveTensors')?.detail).toMatch(/changed after warm-up/);
  });

  it('fails a single extra tensor late in the run', () => {
    expect(failed(series((step) => ({ liveTensors: step === 990 ? 81 : step === 0 ? 20 : 80 })))).toEqual([
      'liveTensors',
    ]);
  });

  it('fails a heap growing 4 KB a step (2 MB over the second half)', () => {
    const s = series((step) => ({ heapUsed: 9 * MB + step * 4096 }));
    expect(failed(s)).toEqual(['heap']);
    expect(judge(s).checks.find((c) => c.name === 'heap')?.detail).toMatch(
      /grew 1\.\d+ MB over the second half/,
    );
  });

  it('fails a slow steady heap climb below the growth bound (trend)', () => {
    // 1.5 KB a step: 0.73 MB over the second half, under 1 MB, but rising in every quarter.
    const s = series((step) => ({ heapUsed: 9 * MB + step * 1536 }));
    expect(failed(s)).toEqual(['heap']);
    expect(judge(s).checks.find((c) => c.name === 'heap')?.detail).toMatch(/rose in every quarter/);
  });

  it('passes heap growth that stops by mid-run (warm-up of the JIT and caches)', () => {
    expect(judge(series((step) => ({ heapUsed: 9 * MB + Math.min(step, 400) * 4096 }))).pass).toBe(true);
  });

  it('fails RSS growing 64 KB a step', () => {
    expect(failed(series((step) => ({ rss: 160 * MB + step * 65536 })))).toEqual(['rss']);
  });

  it('judges GPU bytes when there are any: a few KB of noise passes, growth fails', () => {
    const noisy = series((step) => ({ gpuBytes: step === 0 ? 0 : 382072 - (step % 30 === 0 ? 2060 : 0) }));
    expect(judge(noisy).pass).toBe(true);
    expect(judge(noisy).checks.map((c) => c.name)).toContain('gpuBytes');
    expect(failed(series((step) => ({ gpuBytes: 382072 + step * 1024 })))).toEqual(['gpuBytes']);
  });

  it('fails a non-finite loss', () => {
    const s = series(() => ({}), { nonFinite: { step: 512, mse: Number.NaN, ce: 0.7 } });
    expect(failed(s)).toEqual(['loss']);
  });

  it('fails a run that stopped early with an error', () => {
    const s = series(() => ({}), { error: 'step 1: wasm: read argument 0 has been disposed' });
    const short: Series = { ...s, samples: s.samples.slice(0, 1) };
    expect(judge(short).pass).toBe(false);
    expect(judge(short).checks[0]?.detail).toMatch(/stopped after 0 of 1000 steps: step 1: wasm/);
  });
});
