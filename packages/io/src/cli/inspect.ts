/** `recur inspect FILE`: what a weight file holds, as lines of text. */
import { CHECKPOINT_METADATA_KEY, describeCheckpoint } from '../checkpoint/checkpoint.js';
import { inferModule } from '../infer.js';
import type { WeightFile } from '../tensor-entry.js';

/**
 * The report: one line per tensor (name, stored dtype, shape), metadata, and the inferred module — or,
 * for a training checkpoint, its parts.
 */
export function describeWeightFile(path: string, format: string, file: WeightFile): string[] {
  const names = Object.keys(file.tensors);
  const width = Math.max(4, ...names.map((n) => n.length));
  const total = names.reduce((n, k) => n + file.tensors[k]!.data.length, 0);
  const lines = [`${path}: ${format}, ${names.length} tensors, ${total} values`];
  for (const name of names) {
    const t = file.tensors[name]!;
    lines.push(`  ${name.padEnd(width)}  ${t.stored.padEnd(8)}  [${t.shape.join(', ')}]`);
  }
  const metadata = Object.entries(file.metadata);
  if (metadata.length > 0) {
    lines.push('metadata:');
    for (const [k, v] of metadata) lines.push(`  ${k}: ${v.length > 200 ? `${v.slice(0, 200)}…` : v}`);
  }
  if (file.metadata[CHECKPOINT_METADATA_KEY] !== undefined) {
    lines.push(...describeCheckpoint(file));
    return lines;
  }
  const inferred = inferModule(file.tensors, file.metadata);
  if (inferred === undefined) {
    lines.push('module: not recognised as one RNN, LSTM, GRU or cell (names or shapes differ)');
  } else {
    lines.push(`module: ${inferred.module} ${JSON.stringify(inferred.options)} (from ${inferred.source})`);
    if (inferred.unknown.length > 0) {
      lines.push(`  not stored in the file, PyTorch's defaults assumed: ${inferred.unknown.join(', ')}`);
    }
  }
  return lines;
}
