/** A reader that never returns on some inputs: only the worker watchdog can stop it (harness test). */

import fc from 'fast-check';
import type { FuzzTarget } from '../target.js';
import { BrokenReaderError } from './broken-readers.js';

const target: FuzzTarget = {
  name: 'hangs',
  description: 'deliberately broken: loops forever on an input starting with 7',
  inputs: () => fc.uint8Array({ minLength: 1, maxLength: 8 }),
  read: (bytes) => {
    // The endless loop is the fault under test.
    while (bytes[0] === 7) {}
    throw new BrokenReaderError('rejected');
  },
  isOwnError: (error) => error instanceof BrokenReaderError,
};

export default target;
