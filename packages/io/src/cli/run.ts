/**
 * `recur`: weight files from the command line (`pnpm recur …` in the repository, `npx recur …` once
 * `@recur/io` is installed).
 *
 *   recur inspect FILE                       tensors, dtypes, shapes, metadata, the inferred module
 *   recur convert IN OUT [--module KIND] [--options JSON] [--dtype float32|float64|float16|bfloat16]
 *
 * Formats follow the extensions. Every error prints one line and exits 2.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { codecForPath, readWeightFile, writeWeightFile } from '../node.js';
import type { StoredDType } from '../tensor-entry.js';
import { moduleMetadata } from './convert.js';
import { describeWeightFile } from './inspect.js';

const dtypes: readonly StoredDType[] = ['float32', 'float64', 'float16', 'bfloat16'];

function dtype(value: string): StoredDType {
  if (!(dtypes as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--dtype must be one of ${dtypes.join(', ')}, got "${value}"`);
  }
  return value as StoredDType;
}

/** Runs the command line on `argv` (without node and the script); returns the exit code. */
export function run(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): number {
  const program = new Command()
    .name('recur')
    .description('Read, inspect and convert RNN/LSTM/GRU weight files (safetensors, torch.save, …)')
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) })
    .exitOverride();
  program
    .command('inspect')
    .argument('<file>', 'a weight file')
    .description('list the tensors, dtypes and shapes, the metadata and the inferred module')
    .action((file: string) => {
      for (const line of describeWeightFile(file, codecForPath(file).format, readWeightFile(file))) out(line);
    });
  program
    .command('convert')
    .argument('<in>', 'the file to read')
    .argument('<out>', 'the file to write; its extension picks the format')
    .option('--module <kind>', 'rnn, lstm, gru, rnncell, lstmcell or grucell (default: inferred)')
    .option('--options <json>', 'module options the file cannot say, e.g. \'{"batchFirst": true}\'')
    .option('--dtype <dtype>', 'element type to store', dtype)
    .description('convert between formats, keeping PyTorch names and the module kind and options')
    .action(
      (input: string, output: string, opts: { module?: string; options?: string; dtype?: StoredDType }) => {
        codecForPath(output); // an unknown output extension fails before the input is read
        const file = readWeightFile(input);
        const metadata = moduleMetadata(file, opts);
        writeWeightFile(output, file.tensors, { metadata, dtype: opts.dtype });
        out(`${output}: ${Object.keys(file.tensors).length} tensors from ${input}`);
      },
    );
  try {
    program.parse([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    err(`recur: ${error instanceof Error ? error.message : String(error)}`.split('\n')[0]!);
    return 2;
  }
}
