#!/usr/bin/env node
/** The `recur` executable: see `run.ts`. */
import { run } from './run.js';

process.exitCode = run(process.argv.slice(2), console.log, console.error);
