/** Finding and reading case files on disk (Node only). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WeightTensor } from '@recur/io';
import { readWeightFile } from '@recur/io/node';
import { type LoadedCase, loadedCase } from './case-format.js';
import { parseTrainingBytes, type TrainingFixture, TrainingFormatError } from './training-format.js';

export type { LoadedCase } from './case-format.js';

/**
 * A fixture folder: the copy packed into this package (`fixtures/`, what an installed
 * `@recur/conformance` has), else the repository's own (`fixtures/` at its root, in a clone).
 */
function fixturesDir(name: string): string {
  const packed = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  return existsSync(packed) ? packed : fileURLToPath(new URL(`../../../fixtures/${name}`, import.meta.url));
}

/** The committed PyTorch cases. */
export const committedCasesDir = fixturesDir('cases');

/** The committed cases whose parameters come from weight files PyTorch wrote. */
export const committedWeightCasesDir = fixturesDir('weight-cases');

/** The committed optimizer/loss training fixtures. */
export const committedTrainingDir = fixturesDir('training');

/** Every `*.json` file under the given files or directories (recursively), sorted. */
export function listCaseFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        const child = join(path, entry);
        if (statSync(child).isDirectory() || entry.endsWith('.json')) visit(child);
      }
    } else {
      files.push(path);
    }
  };
  for (const p of paths) {
    const full = resolve(p);
    try {
      statSync(full);
    } catch {
      throw new Error(`cases path not found: ${p}`);
    }
    visit(full);
  }
  return files;
}

/**
 * Reads and parses case files; a malformed file becomes an entry with its error, never a crash.
 * The bytes go to the reader as they are, so malformed UTF-8 is refused rather than replaced.
 */
export function loadCases(paths: readonly string[]): LoadedCase[] {
  return listCaseFiles(paths).map((file) =>
    loadedCase(file, readFileSync(file), { readWeights: weightsBeside(file) }),
  );
}

/**
 * Reads the weight file a case names, relative to the case file, in the format its extension names
 * (safetensors, torch.save, … through `@recur/io`), so every importer is checked forward and backward.
 */
function weightsBeside(caseFile: string): (path: string) => Record<string, WeightTensor> {
  return (path) => {
    if (isAbsolute(path)) throw new RangeError('the path must be relative to the case file');
    return readWeightFile(resolve(dirname(caseFile), path)).tensors;
  };
}

/** Reads every JSON file of a directory (the training fixtures). */
export function readJsonFiles(dir: string): {
  /** The file's path. */
  file: string;
  /** The file's parsed JSON value, unchecked. */
  json: unknown;
}[] {
  return listCaseFiles([dir]).map((file) => ({ file, json: JSON.parse(readFileSync(file, 'utf8')) }));
}

/**
 * Reads and strictly parses every `recur-train/1` fixture under the given files or directories. A
 * malformed fixture throws its {@link TrainingFormatError}, with the file named in the message.
 */
export function loadTrainingFixtures(paths: readonly string[]): TrainingFixture[] {
  return listCaseFiles(paths).map((file) => {
    try {
      return parseTrainingBytes(readFileSync(file));
    } catch (error) {
      if (error instanceof TrainingFormatError)
        throw new TrainingFormatError(error.path, `${file}: ${error.message}`);
      throw error;
    }
  });
}
