/**
 * The part of jsfive (0.4, pure-JavaScript HDF5 reader, no types of its own) that `hdf5.ts` uses.
 * Values are `unknown`: the file is untrusted and every value is checked where it is read.
 */
declare module 'jsfive' {
  export class Group {
    readonly name: string;
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    get(path: string): Group | Dataset;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
  export class Dataset {
    readonly name: string;
    readonly shape: unknown;
    readonly dtype: unknown;
    readonly value: unknown;
    readonly attrs: Record<string, unknown>;
  }
}
