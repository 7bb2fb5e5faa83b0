/** Fuzz target: the `recur-case/1` reader, fed bytes as `pnpm conformance` reads case files. */
import { jsonFileInputs } from '../inputs.js';
import { tensorInvariants } from '../invariants.js';
import { CaseFormatError, caseModules, committedCasesDir, parseCaseBytes } from '../readers.js';
import { sampleFiles } from '../samples.js';
import type { FuzzTarget } from '../target.js';

/** What the runner relies on beyond tensor sizes: a known module and lengths that fit the input. */
function caseInvariants(value: unknown): string | undefined {
  const c = value as { module: string; inputs: { lengths?: unknown[] } };
  if (!(caseModules as readonly string[]).includes(c.module)) return `module ${String(c.module)}`;
  const lengths = c.inputs.lengths;
  if (lengths !== undefined && !lengths.every((n) => Number.isInteger(n) && (n as number) >= 1))
    return 'lengths';
  return tensorInvariants(value);
}

const target: FuzzTarget = {
  name: 'recur-case',
  description: 'recur-case/1 case files (parseCaseBytes)',
  inputs: () =>
    jsonFileInputs(sampleFiles(committedCasesDir), {
      format: 'recur-case/1',
      fields: [
        'name',
        'source',
        'module',
        'options',
        'dtype',
        'parameters',
        'inputs',
        'lossWeights',
        'expected',
      ],
    }),
  read: parseCaseBytes,
  isOwnError: (error) => error instanceof CaseFormatError,
  checkAccepted: caseInvariants,
};

export default target;
