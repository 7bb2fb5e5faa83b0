import { describe, expect, test } from 'vitest';
import type { RawControls } from './validate.js';
import { MAX_PARAMETERS, parameterCount, parseInteger, validateControls } from './validate.js';

const good: RawControls = {
  cell: 'lstm',
  hidden: '32',
  layers: '2',
  bidirectional: true,
  lr: '0.01',
  batch: '16',
  seed: '3',
  path: 'auto',
};

describe('validateControls', () => {
  test('accepts good values and counts the parameters', () => {
    const v = validateControls('classify', good);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.config).toEqual({
      ...v.config,
      cell: 'lstm',
      hidden: 32,
      layers: 2,
      lr: 0.01,
      batch: 16,
      seed: 3,
    });
    // Embedding 29×16; LSTM layer 0: 2 directions × 4·32·(16 + 32 + 2), layer 1: 2 × 4·32·(64 + 32 + 2); head 64·2 + 2.
    expect(v.parameters).toBe(29 * 16 + 2 * 128 * 50 + 2 * 128 * 98 + 130);
  });

  test('names each bad field', () => {
    const v = validateControls('classify', {
      ...good,
      hidden: '0',
      layers: 'ten',
      lr: '1e9',
      batch: '',
      seed: '-1',
    });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors).toEqual({
      hidden: 'must be at least 1',
      layers: '"ten" is not a whole number',
      lr: 'at most 1 (Adam diverges far sooner)',
      batch: 'enter a whole number',
      seed: 'must be at least 0',
    });
  });

  test('refuses 10 layers of 4096 units before any engine sees them', () => {
    const v = validateControls('forecast', { ...good, hidden: '4096', layers: '10' });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors.hidden).toContain('at most 512');
    expect(v.errors.layers).toContain('at most 4');
  });

  test('refuses a model over the parameter budget, beside the hidden size', () => {
    const v = validateControls('classify', { ...good, hidden: '512', layers: '4' });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors.hidden).toMatch(/M parameters/);
    expect(
      parameterCount('classify', {
        ...good,
        path: 'auto',
        cell: 'lstm',
        hidden: 512,
        layers: 4,
        lr: 0.01,
        batch: 16,
        seed: 3,
      }),
    ).toBeGreaterThan(MAX_PARAMETERS);
  });

  test('generation is never bidirectional', () => {
    const v = validateControls('generate', good);
    expect(v.ok && v.config.bidirectional).toBe(false);
  });
});

describe('parseInteger', () => {
  test('judges numbers by their value, not their spelling', () => {
    expect(parseInteger('-1', 1, 10)).toBe('must be at least 1');
    expect(parseInteger('1e9', 1, 5000, 'here')).toBe('at most 5,000 here');
    expect(parseInteger('1e2', 1, 5000)).toBe(100);
    expect(parseInteger('2.5', 1, 10)).toBe('"2.5" is not a whole number (no fractions)');
    expect(parseInteger('many', 1, 10)).toBe('"many" is not a whole number');
    expect(parseInteger(' 7 ', 1, 10)).toBe(7);
    expect(parseInteger('', 1, 10)).toBe('enter a whole number');
  });
});
