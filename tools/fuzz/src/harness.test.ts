/** The harness can fail: each deliberately broken reader is caught, with a replayable failure. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AllocationRecord, AllocationRefused, guardAllocations } from './allocation.js';
import { runIsolated } from './isolated.js';
import { runTarget } from './run-target.js';
import { defaultLimits, type FuzzTarget } from './target.js';
import {
  allocatesFromShape,
  checksOnlyFormat,
  recursesIntoValues,
  slowOnToken,
  trustsStructure,
} from './testing/broken-readers.js';
import { rejectionKind } from './verdict.js';

const seed = 20261203;
const run = (target: FuzzTarget, runs = 3000, limits = defaultLimits) =>
  runTarget(target, { runs, seed, limits });

describe('guardAllocations', () => {
  it('sees every sized request and refuses one over the limit before it allocates', () => {
    const record: AllocationRecord = { elements: 0, by: '', refused: false };
    guardAllocations(100, record, () => [new Float64Array(50), new ArrayBuffer(80), Array(20)]);
    expect(record).toEqual({ elements: 80, by: 'ArrayBuffer', refused: false });
    const attempts: (() => unknown)[] = [
      () => new Float64Array(1e9),
      () => Float32Array.from({ length: 1e9 }),
      () => new Uint8Array('1e9' as unknown as number),
      () => Array(1e9),
      () => new Array(2 ** 31),
      () => Array.from({ length: 1e9 }),
      () => new ArrayBuffer(1e9),
    ];
    for (const attempt of attempts) {
      const r: AllocationRecord = { elements: 0, by: '', refused: false };
      expect(() => guardAllocations(100, r, attempt)).toThrow(AllocationRefused);
      expect(r.refused).toBe(true);
      expect(r.elements).toBeGreaterThanOrEqual(1e9);
    }
    // The constructors are the originals again afterwards.
    expect(Float64Array.name).toBe('Float64Array');
    expect(new Float64Array(200_000).length).toBe(200_000);
    expect(new Float64Array(1)).toBeInstanceOf(Float64Array);
  });
});

describe('the properties catch broken readers', () => {
  it('an allocation sized from a shape before the data is checked', () => {
    const r = run(allocatesFromShape);
    expect(r.failure?.message).toMatch(/^requested a Float64Array of \d+ elements for a \d+-byte input/);
  });

  it('an exception that is not the reader own error (TypeError), replayable from seed and path', () => {
    const r = run(trustsStructure);
    expect(r.failure?.message).toMatch(/^threw TypeError: .* \(not the reader's own error\)$/);
    const replay = runTarget(trustsStructure, {
      runs: 1,
      seed: r.failure!.seed,
      path: r.failure!.path,
      limits: defaultLimits,
    });
    expect(replay.failure?.preview).toBe(r.failure!.preview);
  });

  it('a stack overflow on deep nesting', () => {
    const r = run(recursesIntoValues);
    expect(r.failure?.message).toMatch(/^threw RangeError: Maximum call stack size exceeded/);
  });

  it('an accepted value that breaks what the reader promises', () => {
    const r = run(checksOnlyFormat);
    expect(r.failure?.message).toMatch(/^accepted an invalid value: /);
  });

  it('an input slower than the time limit', () => {
    const r = run(slowOnToken, 3000, { ...defaultLimits, timeLimitMs: 10 });
    expect(r.failure?.message).toMatch(/^took \d+ ms \(limit 10 ms\)$/);
  });

  it('a reader that never returns, stopped by the watchdog with the input to replay', async () => {
    const module = new URL('./testing/hanging-target.ts', import.meta.url).href;
    const r = await runIsolated(
      { name: 'hangs', module },
      { runs: 10_000, seed, limits: defaultLimits, hangMs: 1000 },
    );
    expect(r.failure?.message).toMatch(/^hang: input \d+ was still running after \d+ ms/);
    // The path names the hanging input: fast-check generates the same value there again.
    const again = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 8 }), {
      seed,
      path: r.failure!.path,
      numRuns: 1,
    });
    expect(again[0]![0]).toBe(7);
  });
});

describe('rejectionKind', () => {
  it('groups messages by field and problem, not by value', () => {
    const kind = (m: string) => rejectionKind(new Error(m));
    expect(kind('parameters.weight_ih_l0.data[5] must be a finite number, got "a"')).toBe(
      'parameters.*.data[i] must be a finite number',
    );
    expect(kind('steps[2].grads."head.bias" has shape [3] (3 values) but data holds 2 values')).toBe(
      'steps[i].grads.* has shape [#] (# values) but data holds # values',
    );
    expect(kind('the file is not UTF-8 text')).toBe('the file is not UTF-8 text');
    expect(kind('the file is not valid JSON: Unexpected token } in JSON at position 9')).toBe(
      'the file is not valid JSON',
    );
    // A reader's own prefix stays; what follows is grouped like any message.
    expect(kind('safetensors: header length 99 exceeds the file (12 bytes): at 8')).toBe(
      'safetensors: header length # exceeds the file (# bytes)',
    );
  });
});
