/**
 * The page's handle on one engine: typed requests with promised replies, and the engine's events.
 * Engines run in workers; {@link startEngineOnPage} is the fallback for a backend a browser can
 * only run on the page (WebGL without OffscreenCanvas in workers).
 */
import type { EnginePort } from './host.js';
import type { BackendName, EngineMessage, Failure, Requests, RequestType } from './protocol.js';

/** Rejection of a request: the engine's failure. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Events an engine sends besides replies. */
export type EngineEvent = Exclude<EngineMessage, { type: 'reply' }>;

/** One engine as the page sees it. */
export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  constructor(
    /** The backend it runs. */
    readonly backend: BackendName,
    /** True when it runs on the page rather than in a worker. */
    readonly onPage: boolean,
    private readonly port: EnginePort,
    private readonly stop: () => void,
  ) {
    port.addEventListener('message', (event: MessageEvent) => this.receive(event.data as EngineMessage));
  }

  /** Sends a request; resolves with its result or rejects with an {@link EngineError}. */
  request<K extends RequestType>(type: K, args: Requests[K]['args']): Promise<Requests[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // Weights sent to an engine are copies the page keeps: cloned, not transferred.
      this.port.postMessage({ id, type, args });
    });
  }

  /** Listens to progress, evaluation and failure events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the engine; pending requests fail. */
  terminate(): void {
    this.stop();
    this.crash({ kind: 'error', message: `the ${this.backend} engine was stopped`, fatal: true });
  }

  /** Fails every pending request and tells the listeners (the worker died or threw uncaught). */
  crash(failure: Failure): void {
    for (const { reject } of this.pending.values()) reject(new EngineError(failure));
    this.pending.clear();
    for (const listener of this.listeners) listener({ type: 'failed', failure });
  }

  private receive(message: EngineMessage): void {
    if (message.type !== 'reply') {
      for (const listener of this.listeners) listener(message);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (waiting === undefined) return;
    this.pending.delete(message.id);
    if ('failure' in message) waiting.reject(new EngineError(message.failure));
    else waiting.resolve(message.result);
  }
}

/** Starts an engine for `backend` in its own worker. */
export function startEngine(backend: BackendName): EngineClient {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    type: 'module',
    name: `recur-${backend}`,
  });
  const client = new EngineClient(backend, false, worker, () => worker.terminate());
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    client.crash({
      kind: 'error',
      message: `the ${backend} worker failed: ${event.message || 'unknown error'}`,
      fatal: true,
    });
  });
  return client;
}

/** Starts an engine for `backend` on the page itself (its steps then share the page's thread). */
export async function startEngineOnPage(backend: BackendName): Promise<EngineClient> {
  const { serveEngine } = await import('./host.js');
  const channel = new MessageChannel();
  serveEngine(channel.port2 as unknown as EnginePort);
  channel.port1.start();
  channel.port2.start();
  return new EngineClient(backend, true, channel.port1 as unknown as EnginePort, () => {
    channel.port1.close();
  });
}
