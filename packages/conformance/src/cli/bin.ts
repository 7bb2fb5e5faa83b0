#!/usr/bin/env node
/** The `recur-conformance` executable: see `main.ts`. */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  // Exits explicitly: a browser (webgl) may leave handles open.
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
