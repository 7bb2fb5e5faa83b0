/**
 * Writes `fixtures/keras/<name>/model.json` + weight shards: tfjs-layers models saved the way
 * `model.save('file://…')` lays them out, for the fuzzer's samples and anyone trying `recur inspect`.
 * Run: `pnpm exec tsx packages/io/src/keras/testing/write-fixtures.ts` (from the repository root).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { modelJson, save, seeded, tfl, useCpu } from './tfjs.js';

const out = fileURLToPath(new URL('../../../../../fixtures/keras/', import.meta.url));

async function main(): Promise<void> {
  await useCpu();
  const models: Record<string, () => tfl.LayersModel> = {
    'lstm-l2': () => {
      const m = tfl.sequential();
      m.add(
        tfl.layers.lstm({
          units: 4,
          inputShape: [5, 3],
          returnSequences: true,
          recurrentActivation: 'sigmoid',
          ...seeded(1),
        }),
      );
      m.add(
        tfl.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', ...seeded(4) }),
      );
      return m;
    },
    'bidirectional-simplernn': () => {
      const m = tfl.sequential();
      m.add(
        tfl.layers.bidirectional({
          layer: tfl.layers.simpleRNN({ units: 3, returnSequences: true, ...seeded(7) }) as never,
          inputShape: [6, 2],
          mergeMode: 'concat',
        }),
      );
      return m;
    },
    'simplernn-relu-last-state': () => {
      const m = tfl.sequential();
      m.add(tfl.layers.simpleRNN({ units: 5, inputShape: [4, 2], activation: 'relu', ...seeded(11) }));
      return m;
    },
  };
  rmSync(out, { recursive: true, force: true });
  for (const [name, build] of Object.entries(models)) {
    const { json, shards } = modelJson(await save(build()), 256);
    mkdirSync(`${out}${name}`, { recursive: true });
    writeFileSync(`${out}${name}/model.json`, `${json}\n`);
    for (const [file, bytes] of shards) writeFileSync(`${out}${name}/${file}`, bytes);
  }
  console.log(`wrote ${Object.keys(models).length} tfjs-layers models to fixtures/keras`);
}

await main();
