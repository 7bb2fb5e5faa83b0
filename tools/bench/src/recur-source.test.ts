import { describe, expect, it } from 'vitest';
import { recurSource } from './recur-source.js';

describe('recurSource', () => {
  it('says which build of @recur/core this process resolves', () => {
    expect(['dist', 'source (tsx)', 'unknown']).toContain(recurSource());
  });
});
