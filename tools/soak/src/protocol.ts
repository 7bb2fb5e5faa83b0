/** What the soak's child process (`child.ts`) is told, and the messages it sends back over IPC. */
import type { BackendName } from './backends.js';
import type { Sample, Series } from './series.js';

/** One child's work: its backends (several only when interleaved), steps and seed. */
export interface ChildConfig {
  readonly backends: readonly BackendName[];
  readonly steps: number;
  readonly interleave: boolean;
  readonly seed: number;
}

/** A child's messages, in order: `unavailable`s, `sample`s as they are taken, one `series` per backend that ran. */
export type ChildMessage =
  | { readonly kind: 'unavailable'; readonly backend: string; readonly reason: string }
  | { readonly kind: 'sample'; readonly backend: string; readonly sample: Sample }
  | { readonly kind: 'series'; readonly series: Series };
