/**
 * The process a soak runs in (started by `run.ts` with `--expose-gc`): creates its backends, runs the
 * loop, and sends samples and series to the parent over IPC. One child per backend, so that each one's
 * heap and RSS are its own; one child for every Node backend with `--interleave`.
 */
import { createNodeBackend, isNodeBackend, oneLine } from './backends.js';
import { soak } from './loop.js';
import type { ChildConfig, ChildMessage } from './protocol.js';
import type { Series } from './series.js';
import { nodeSubject, type Subject } from './subject.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

async function main(config: ChildConfig): Promise<void> {
  const subjects: Subject[] = [];
  for (const name of config.backends) {
    if (!isNodeBackend(name)) {
      // Imported only here: Playwright and esbuild would otherwise sit in every Node backend's heap.
      const { webglSubject } = await import('./browser/webgl.js');
      const subject = await webglSubject(config.seed);
      if ('unavailable' in subject)
        await send({ kind: 'unavailable', backend: name, reason: subject.unavailable });
      else subjects.push(subject);
      continue;
    }
    let backend: Awaited<ReturnType<typeof createNodeBackend>>;
    try {
      backend = await createNodeBackend(name);
    } catch (error) {
      await send({ kind: 'unavailable', backend: name, reason: oneLine(error) });
      continue;
    }
    try {
      subjects.push(nodeSubject(backend, config.interleave ? 'interleaved' : 'alone', config.seed));
    } catch (error) {
      // Building the models failed: a failure of the backend, not its absence.
      const failed: Series = {
        backend: name,
        steps: config.steps,
        mode: config.interleave ? 'interleaved' : 'alone',
        detail: '',
        samples: [],
        nonFinite: null,
        error: `building the models: ${oneLine(error)}`,
      };
      await send({ kind: 'series', series: failed });
    }
  }
  const pending: Promise<void>[] = [];
  const series = await soak(subjects, config.steps, config.interleave, (backend, sample) => {
    pending.push(send({ kind: 'sample', backend, sample }));
  });
  await Promise.all(pending);
  for (const subject of subjects) await subject.close().catch(() => undefined);
  for (const s of series) await send({ kind: 'series', series: s });
}

if (process.send === undefined) {
  process.stderr.write('soak/child.ts runs under `pnpm soak`, which starts it with an IPC channel\n');
  process.exit(2);
}
// Nobody left to report to: stop (and let Chromium go with us).
process.on('disconnect', () => process.exit(1));
await main(JSON.parse(process.argv[2] ?? '{}') as ChildConfig);
// The js backend's worker thread and Chromium's pipes would keep the process alive.
process.exit(0);
