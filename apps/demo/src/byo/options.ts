/**
 * The options a weight file cannot say (e.g. `batchFirst`, `dropout`, `nonlinearity`) as editable
 * fields with PyTorch's defaults, and the merge of the user's edits into the inferred options.
 */
import type { InferredModule } from '@recur/io';

/** One editable option: a checkbox, a number or a choice. */
export type OptionField =
  | { readonly name: string; readonly kind: 'boolean'; readonly value: boolean }
  | {
      readonly name: string;
      readonly kind: 'number';
      readonly value: number;
      readonly min: number;
      readonly max: number;
    }
  | {
      readonly name: string;
      readonly kind: 'choice';
      readonly value: string;
      readonly choices: readonly string[];
    };

/** PyTorch's defaults for the options no parameter shape reveals. */
const defaults: Record<string, OptionField> = {
  batchFirst: { name: 'batchFirst', kind: 'boolean', value: false },
  dropout: { name: 'dropout', kind: 'number', value: 0, min: 0, max: 1 },
  nonlinearity: { name: 'nonlinearity', kind: 'choice', value: 'tanh', choices: ['tanh', 'relu'] },
};

/** Fields for `inferred.unknown`, at PyTorch's defaults (options the panel does not know are left out). */
export function unknownOptionFields(inferred: InferredModule): OptionField[] {
  return inferred.unknown.flatMap((name) => (defaults[name] === undefined ? [] : [defaults[name]!]));
}

/**
 * The module's constructor options: the inferred ones, then the edits of unknown options (edits of
 * options the file did say are ignored: the file wins). Invalid edits throw with the option named.
 */
export function mergeOptions(
  inferred: InferredModule,
  edits: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...inferred.options };
  for (const field of unknownOptionFields(inferred)) {
    const value = edits[field.name] ?? field.value;
    if (field.kind === 'boolean' && typeof value !== 'boolean')
      throw new Error(`${field.name} must be true or false`);
    if (field.kind === 'number' && !(typeof value === 'number' && value >= field.min && value <= field.max)) {
      throw new Error(`${field.name} must be a number from ${field.min} to ${field.max}`);
    }
    if (field.kind === 'choice' && !field.choices.includes(value as string)) {
      throw new Error(`${field.name} must be one of ${field.choices.join(', ')}`);
    }
    merged[field.name] = value;
  }
  return merged;
}
