/**
 * Edits of saved tfjs-layers artifacts for the tests: layer configs changed in place, weights replaced.
 * Each test model is a real tfjs-layers save with one edit, so the rest of the file is what tfjs writes.
 */
import type { Artifacts } from './tfjs.js';

type Json = Record<string, unknown>;

/** A deep copy of `artifacts` (the weight data copied too). */
export function copy(artifacts: Artifacts): Artifacts {
  return {
    ...structuredClone({ ...artifacts, weightData: undefined }),
    weightData: (artifacts.weightData as ArrayBuffer).slice(0),
  };
}

/** Every `{class_name, config}` layer entry of the topology (Bidirectional's inner layer included). */
export function layerEntries(artifacts: Artifacts): { class_name: string; config: Json }[] {
  const found: { class_name: string; config: Json }[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      const v = value as Json;
      if (
        typeof v.class_name === 'string' &&
        v.config !== null &&
        typeof v.config === 'object' &&
        'name' in v.config
      )
        found.push(v as { class_name: string; config: Json });
      Object.values(v).forEach(walk);
    }
  };
  walk((artifacts.modelTopology as Json).config);
  return found;
}

/** The configs of the layers of class `className` (e.g. every `GRU`, inside Bidirectional too). */
export function configsOf(artifacts: Artifacts, className: string): Json[] {
  return layerEntries(artifacts)
    .filter((e) => e.class_name === className)
    .map((e) => e.config);
}

/** Replaces the weights, in spec order: new values and (when given) new shapes. */
export function replaceWeights(
  artifacts: Artifacts,
  weights: readonly { data: ArrayLike<number>; shape?: readonly number[] }[],
): Artifacts {
  const specs = artifacts.weightSpecs!;
  if (weights.length !== specs.length) throw new Error(`${weights.length} weights for ${specs.length} specs`);
  const size = weights.reduce((n, w) => n + w.data.length, 0);
  const data = new Float32Array(size);
  let at = 0;
  for (const w of weights) {
    data.set(Array.from(w.data), at);
    at += w.data.length;
  }
  return {
    ...artifacts,
    weightSpecs: specs.map((s, i) => ({ ...s, shape: [...(weights[i]!.shape ?? s.shape)] })),
    weightData: data.buffer,
  };
}

/** The weights of artifacts as float32 arrays, in spec order. */
export function weightsOf(artifacts: Artifacts): { name: string; shape: number[]; data: Float32Array }[] {
  const all = new Float32Array(artifacts.weightData as ArrayBuffer);
  let at = 0;
  return artifacts.weightSpecs!.map((s) => {
    const size = s.shape.reduce((n, d) => n * d, 1);
    const data = all.slice(at, at + size);
    at += size;
    return { name: s.name, shape: [...s.shape], data };
  });
}
