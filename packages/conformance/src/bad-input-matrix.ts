/**
 * The bad-input matrix: calls with a bad argument, across modules, cells, functional ops, tensor
 * creation, losses, optimizers, `backward`, state dicts, packed sequences and the case reader. Each
 * must throw an error naming the argument, the expected and the actual value or shape, and change
 * nothing: weights, gradients, optimizer state and every backend's live-tensor count stay exactly as
 * they were (see {@link runBadInputCase}). It has no test-runner dependency, so every backend's suite,
 * the command line and a third party's backend run the same cases.
 */
import { caseReaderCases } from './bad-input/case-reader.js';
import { cellCases } from './bad-input/cells.js';
import { lossCases } from './bad-input/losses.js';
import { moduleCases } from './bad-input/modules.js';
import { creationCases, opCases } from './bad-input/ops.js';
import { optimizerCases } from './bad-input/optimizers.js';
import { packedCases } from './bad-input/packed.js';
import { stateDictCases } from './bad-input/state-dicts.js';
import type { BadInputCase } from './bad-input/types.js';

export { badInputSkipReason, runBadInputCase } from './bad-input/run.js';
export type {
  AnyOptimizer,
  BadInputCase,
  BadInputEnv,
  BadInputNeed,
  BadInputWorld,
} from './bad-input/types.js';
export type { StandardCaseSpec, StandardWorld } from './bad-input/world.js';
export { emptyWorld, onStandardWorld, standardWorld } from './bad-input/world.js';

/** Every case, grouped by area, in the order the suite runs them. */
export const badInputCases: readonly BadInputCase[] = [
  ...moduleCases,
  ...cellCases,
  ...opCases,
  ...creationCases,
  ...lossCases,
  ...optimizerCases,
  ...stateDictCases,
  ...packedCases,
  ...caseReaderCases,
];
