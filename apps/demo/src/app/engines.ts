/**
 * Finds which backends this browser runs: one engine (worker) per backend, each asked to create
 * its backend. A backend that fails to start is listed with the reason; nothing falls back
 * silently. WebGL that cannot start in a worker (no OffscreenCanvas there) is tried on the page.
 */
import type { EngineClient } from '../engine/client.js';
import { startEngine, startEngineOnPage } from '../engine/client.js';
import type { BackendName, Failure } from '../engine/protocol.js';
import { backendNames } from '../engine/protocol.js';

/** What the page knows about one backend. */
export type EngineStatus =
  | { readonly state: 'detecting' }
  | {
      readonly state: 'ready';
      readonly detail: string;
      readonly fusedCells: string[];
      readonly onPage: boolean;
    }
  | { readonly state: 'unavailable'; readonly reason: string }
  | { readonly state: 'broken'; readonly failure: Failure };

/** The engines of the page. */
export class Engines {
  private readonly clients = new Map<BackendName, EngineClient>();
  private readonly statuses = new Map<BackendName, EngineStatus>();
  private readonly listeners = new Set<() => void>();

  constructor() {
    for (const name of backendNames) this.statuses.set(name, { state: 'detecting' });
  }

  /** Status of `name`. */
  status(name: BackendName): EngineStatus {
    return this.statuses.get(name)!;
  }

  /** Backends that are ready, in the page's order. */
  ready(): BackendName[] {
    return backendNames.filter((n) => this.status(n).state === 'ready');
  }

  /** The engine of a ready backend. */
  client(name: BackendName): EngineClient {
    const client = this.clients.get(name);
    if (client === undefined || this.status(name).state !== 'ready') {
      throw new Error(`backend ${name} is not available`);
    }
    return client;
  }

  /** Calls `listener` whenever a status changes. */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Starts and initialises every backend, in parallel; resolves when each has answered. */
  async detect(): Promise<void> {
    await Promise.all(backendNames.map((name) => this.start(name)));
  }

  /** (Re)starts one backend's engine, e.g. after its WebGL context was lost. */
  async start(name: BackendName): Promise<void> {
    const old = this.clients.get(name);
    this.clients.delete(name);
    old?.terminate();
    this.set(name, { state: 'detecting' });
    const worker = startEngine(name);
    try {
      const info = await worker.request('init', { backend: name });
      this.adopt(name, worker, { state: 'ready', ...info, onPage: false });
      return;
    } catch (error) {
      worker.terminate();
      const reason = (error as Error).message;
      if (name === 'webgl' && !workerCanRunWebgl()) {
        await this.startOnPage(name, reason);
        return;
      }
      this.set(name, { state: 'unavailable', reason });
    }
  }

  /** Marks a backend broken (lost context, out of memory); the user may restart it. */
  markBroken(name: BackendName, failure: Failure): void {
    this.set(name, { state: 'broken', failure });
  }

  private async startOnPage(name: BackendName, workerReason: string): Promise<void> {
    try {
      const page = await startEngineOnPage(name);
      const info = await page.request('init', { backend: name });
      this.adopt(name, page, { state: 'ready', ...info, onPage: true });
    } catch (error) {
      this.set(name, {
        state: 'unavailable',
        reason: `${workerReason}; on the page: ${(error as Error).message}`,
      });
    }
  }

  private adopt(name: BackendName, client: EngineClient, status: EngineStatus): void {
    this.clients.set(name, client);
    this.set(name, status);
    client.onEvent((event) => {
      // A dead worker, a lost context or exhausted memory leave the engine unusable until restarted.
      if (event.type === 'failed' && (event.failure.fatal || event.failure.kind !== 'error')) {
        if (this.clients.get(name) === client) this.markBroken(name, event.failure);
      }
    });
  }

  private set(name: BackendName, status: EngineStatus): void {
    this.statuses.set(name, status);
    for (const listener of this.listeners) listener();
  }
}

/** Whether a worker here could make a WebGL 2 context (OffscreenCanvas with WebGL 2 in workers). */
function workerCanRunWebgl(): boolean {
  // Browsers that have OffscreenCanvas expose it to workers too; without it tfjs cannot make a canvas there.
  return typeof OffscreenCanvas !== 'undefined';
}
