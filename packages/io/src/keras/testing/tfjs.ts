/**
 * tfjs-layers for the Keras reader's tests: the real system builds, saves (through an in-memory save
 * handler, as `model.save` does for files) and runs the models Recur reads, on tfjs' cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { TensorData } from '@recur/core';
import * as tfl from '@tensorflow/tfjs-layers';

export { tf, tfl };

/** What `model.save` hands a save handler. */
export type Artifacts = tf.io.ModelArtifacts;

/** Uses tfjs' cpu backend (call once before building models). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Seeded uniform initializers for every weight, biases included (tfjs' default bias is zero). */
export function seeded(seed: number, scale = 0.5) {
  const init = (s: number) => tfl.initializers.randomUniform({ minval: -scale, maxval: scale, seed: s });
  return {
    kernelInitializer: init(seed),
    recurrentInitializer: init(seed + 1),
    biasInitializer: init(seed + 2),
  };
}

/** The artifacts `model.save` writes (topology, weight specs, weight data). */
export async function save(model: tfl.LayersModel): Promise<Artifacts> {
  let saved: Artifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

/** The weight data of artifacts as bytes (tfjs may give one ArrayBuffer or a list). */
export function weightBytes(artifacts: Artifacts): Uint8Array {
  const data = artifacts.weightData!;
  const parts = Array.isArray(data) ? data : [data as ArrayBuffer];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The `model.json` a file save would write for `artifacts`, with the weight bytes cut into shards of at
 * most `shardBytes` (as tfjs and the converter do): the JSON text and the shards by file name.
 */
export function modelJson(
  artifacts: Artifacts,
  shardBytes = Infinity,
): { json: string; shards: Map<string, Uint8Array> } {
  const bytes = weightBytes(artifacts);
  const shards = new Map<string, Uint8Array>();
  const count = Math.max(1, Math.ceil(bytes.length / shardBytes));
  for (let i = 0; i < count; i++) {
    const size = Math.min(shardBytes, bytes.length);
    shards.set(`group1-shard${i + 1}of${count}.bin`, bytes.slice(i * size, (i + 1) * size));
  }
  const json = JSON.stringify({
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [...shards.keys()], weights: artifacts.weightSpecs }],
  });
  return { json, shards };
}

/** Loads artifacts back into tfjs-layers (the way `tf.loadLayersModel` reads any model). */
export function load(artifacts: Artifacts): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** `model.predict(input)` read back as `{ shape, data }`. */
export function predict(model: tfl.LayersModel, input: TensorData): TensorData {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(Array.from(input.data), [...input.shape])) as tf.Tensor;
    return { shape: y.shape, data: Array.from(y.dataSync()) };
  });
}

/** A deterministic input of `shape` with values in (−1, 1). */
export function sequence(shape: readonly number[], seed: number): TensorData {
  const size = shape.reduce((n, d) => n * d, 1);
  return { shape, data: Array.from({ length: size }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * 0.9) };
}
