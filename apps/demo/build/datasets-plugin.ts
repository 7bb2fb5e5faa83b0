/**
 * Bundles the demo's datasets at build time: a Vite plugin serving virtual modules whose contents
 * are read in Node through `@recur/datasets/node` (from the installed @stdlib packages) when Vite
 * builds or serves the page. The browser therefore fetches nothing from outside at run time, and the
 * demo reads the same raw data as the examples, through the same loader.
 */
import { loadBirths, loadFirstNames } from '@recur/datasets/node';
import type { Plugin } from 'vite';

/** The raw name lists, as the @stdlib packages ship them. */
export const NAMES_MODULE = 'virtual:recur-data/names';
/** The births rows, stored by column (a third of the size of an array of row objects). */
export const BIRTHS_MODULE = 'virtual:recur-data/births';

/** A module whose default export is `value`; `JSON.parse` of a string literal parses faster than a JS literal. */
function jsonModule(value: unknown): string {
  return `export default JSON.parse(${JSON.stringify(JSON.stringify(value))});\n`;
}

function birthsColumns() {
  const rows = loadBirths();
  return {
    year: rows.map((r) => r.year),
    month: rows.map((r) => r.month),
    date_of_month: rows.map((r) => r.date_of_month),
    day_of_week: rows.map((r) => r.day_of_week),
    births: rows.map((r) => r.births),
  };
}

const sources: Record<string, () => unknown> = {
  [NAMES_MODULE]: loadFirstNames,
  [BIRTHS_MODULE]: birthsColumns,
};

/** The plugin: resolves and loads the two virtual modules. */
export function recurDatasets(): Plugin {
  return {
    name: 'recur-datasets',
    resolveId(id) {
      return id in sources ? `\0${id}` : undefined;
    },
    load(id) {
      const source = id.startsWith('\0') ? sources[id.slice(1)] : undefined;
      return source === undefined ? undefined : jsonModule(source());
    },
  };
}
