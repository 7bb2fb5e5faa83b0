/** Fuzz target: the `recur-train/1` training-fixture reader, fed bytes as files are read. */
import { jsonFileInputs } from '../inputs.js';
import { tensorInvariants } from '../invariants.js';
import { committedTrainingDir, parseTrainingBytes, TrainingFormatError } from '../readers.js';
import { sampleFiles } from '../samples.js';
import type { FuzzTarget } from '../target.js';

const target: FuzzTarget = {
  name: 'recur-train',
  description: 'recur-train/1 training fixtures (parseTrainingBytes)',
  inputs: () =>
    jsonFileInputs(sampleFiles(committedTrainingDir), {
      format: 'recur-train/1',
      fields: [
        'name',
        'source',
        'dtype',
        'model',
        'parameters',
        'input',
        'loss',
        'optimizer',
        'clipGradNorm',
        'steps',
      ],
    }),
  read: parseTrainingBytes,
  isOwnError: (error) => error instanceof TrainingFormatError,
  checkAccepted: tensorInvariants,
};

export default target;
