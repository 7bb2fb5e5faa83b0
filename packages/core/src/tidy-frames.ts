/**
 * The frontend's own record of the open `tidy` calls, for backends that joined after a tidy began.
 *
 * `tidy` opens a scope on every backend it knows when it starts, and the backends release what they
 * create inside. A backend first seen later (its first tensor made inside the tidy, or a module moved to
 * it there) has no scope for that tidy, and {@link Backend.tidy} takes a callback, so one cannot be
 * opened around code that is already running. The frontend therefore adopts those tensors itself: every
 * {@link Tensor} is announced here when it is made, and one on a backend an open tidy has no scope on is
 * recorded by the innermost such tidy, which releases it on exit unless it is returned or kept. This
 * lives apart from `memory.ts` so that `tensor.ts` can call it without an import cycle.
 *
 * @internal Not exported from the package; `tidy`, `keep` and the Tensor constructor use it.
 */
import type { AnyBackend } from './tensor/tensor.js';

/** What a frame adopted on one backend: handles, and when next to drop the released ones. */
interface Adopted {
  readonly handles: Set<unknown>;
  /** Size at which {@link adoptTensor} next sweeps out released handles (bounds a long-running tidy). */
  pruneAt: number;
}

/** One open `tidy`. */
export interface TidyFrame {
  /** Backends the tidy opened scopes on: their own scopes release what is made on them. */
  readonly scoped: ReadonlySet<AnyBackend>;
  /** Tensors on every other backend made while the tidy was open (innermost tidy without a scope). */
  readonly adopted: Map<AnyBackend, Adopted>;
}

/** Open tidies, outermost first. */
const frames: TidyFrame[] = [];

const PRUNE_MIN = 1024;

/** Starts a frame for a tidy that opens scopes on `scoped`; pair with {@link closeFrame}. */
export function openFrame(scoped: readonly AnyBackend[]): TidyFrame {
  const frame: TidyFrame = { scoped: new Set(scoped), adopted: new Map() };
  frames.push(frame);
  return frame;
}

function adopt(frame: TidyFrame, backend: AnyBackend, handle: unknown): void {
  let entry = frame.adopted.get(backend);
  if (entry === undefined) {
    entry = { handles: new Set(), pruneAt: PRUNE_MIN };
    frame.adopted.set(backend, entry);
  }
  entry.handles.add(handle);
  if (entry.handles.size >= entry.pruneAt) {
    // A training loop inside one tidy makes tensors that inner scopes (valueAndGrads, nested tidies)
    // have already released; dropping them keeps the set proportional to what is actually live.
    for (const h of entry.handles) if (backend.isDisposed(h)) entry.handles.delete(h);
    entry.pruneAt = Math.max(PRUNE_MIN, 2 * entry.handles.size);
  }
}

/**
 * Called for every new Tensor. Scopes nest, so the tidies with a scope on `backend` are the innermost
 * ones (those begun after it joined); the tensor goes to the innermost tidy without one, if any. It is
 * recorded even when an inner tidy's scope will release it, because that scope may return it into the
 * outer tidy, which has no scope to catch it.
 */
export function adoptTensor(backend: AnyBackend, handle: unknown): void {
  // Fast path, the usual case: no tidy open, or the outermost (hence every) tidy has a scope on it.
  if (frames.length === 0 || frames[0]!.scoped.has(backend)) return;
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i]!;
    if (!frame.scoped.has(backend)) {
      adopt(frame, backend, handle);
      return;
    }
  }
}

/** Forgets `handle` in every open tidy: `keep` exempts it from all of them, like a backend's own keep. */
export function releaseFromFrames(backend: AnyBackend, handle: unknown): void {
  for (const frame of frames) frame.adopted.get(backend)?.handles.delete(handle);
}

/**
 * Ends `frame` (which must be the innermost): releases what it adopted, except the handles `survivors()`
 * lists per backend (the tidy's result), which move to the enclosing tidy so that it still owns them.
 * `survivors` is `null` when the tidy threw: then everything it adopted is released. It is a callback
 * because the usual frame adopted nothing, and then the result need not be searched a second time.
 */
export function closeFrame(
  frame: TidyFrame,
  survivors: (() => ReadonlyMap<AnyBackend, ReadonlySet<unknown>>) | null,
): void {
  if (frames.at(-1) !== frame) {
    throw new Error('tidy frames were closed out of order (a tidy callback must not leave one open)');
  }
  frames.pop();
  if (frame.adopted.size === 0) return;
  const parent = frames.at(-1);
  const kept = survivors?.();
  for (const [backend, { handles }] of frame.adopted) {
    const keep = kept?.get(backend);
    for (const h of handles) {
      if (backend.isDisposed(h)) continue;
      // `frame` had no scope on `backend`, so neither has its parent (scopes only ever get added
      // inside): the parent is the tidy that adopts a survivor next.
      if (keep?.has(h)) {
        if (parent !== undefined) adopt(parent, backend, h);
      } else {
        backend.dispose(h);
      }
    }
  }
}
