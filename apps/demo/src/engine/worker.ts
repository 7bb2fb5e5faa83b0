/** A worker running one engine (one backend): training never blocks the page. */
import type { EnginePort } from './host.js';
import { serveEngine } from './host.js';

serveEngine(self as unknown as EnginePort);
