/**
 * Reading untrusted JSON (a tfjs-layers `model.json`): every access checks the type it expects and a
 * failure names the place (`modelTopology.config.layers[1].config.units`) and what was found.
 */
import { WeightFileError } from '../errors.js';

/** A JSON object. */
export type JsonObject = { readonly [key: string]: unknown };

/** Throws the reader's only error. */
export const fail = (message: string): never => {
  throw new WeightFileError('tfjs-layers', message);
};

/**
 * A value for messages: `"hard_sigmoid"`, `0.2`, `true`, `null`, `an array of 3 items`,
 * `an object with keys "class_name", "config"` (shortened). It never walks into a value: an untrusted
 * file may nest arrays tens of thousands deep, and JSON.stringify or String would overflow the stack.
 */
export function show(value: unknown): string {
  if (value === undefined) return 'absent';
  let text: string;
  if (Array.isArray(value)) text = `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  else if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    text =
      keys.length === 0
        ? 'an empty object'
        : `an object with keys ${keys
            .slice(0, 4)
            .map((k) => JSON.stringify(k.length > 30 ? `${k.slice(0, 29)}…` : k))
            .join(', ')}${keys.length > 4 ? ', …' : ''}`;
  } else text = typeof value === 'bigint' ? `${value}` : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** Whether `value` is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object, or a failure naming `where`. */
export function object(value: unknown, where: string): JsonObject {
  if (!isObject(value)) fail(`${where} must be a JSON object, got ${show(value)}`);
  return value as JsonObject;
}

/** `value` as an array, or a failure naming `where`. */
export function array(value: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(`${where} must be an array, got ${show(value)}`);
  return value as unknown[];
}

/** `value` as a string, or a failure naming `where`. */
export function string(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(`${where} must be a string, got ${show(value)}`);
  return value as string;
}

/** `value` as a boolean, or a failure naming `where`. */
export function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') fail(`${where} must be true or false, got ${show(value)}`);
  return value as boolean;
}

/** `value` as a finite number, or a failure naming `where`. */
export function number(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(`${where} must be a finite number, got ${show(value)}`);
  return value as number;
}

/** `value` as an integer in [min, max], or a failure naming `where`. */
export function integer(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(`${where} must be an integer in [${min}, ${max}], got ${show(value)}`);
  return value as number;
}

/** Parses JSON text, or fails naming what it was. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`${what} is not JSON: ${(error as Error).message}`);
  }
}
