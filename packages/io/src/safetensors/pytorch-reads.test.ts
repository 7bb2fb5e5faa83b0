/**
 * Files Recur writes load in PyTorch: `tools/fixtures/read_safetensors.py` rebuilds every tensor with
 * torch in its stored dtype and compares it with what Recur meant to write. Needs Debian's PyTorch
 * (`/usr/bin/python3` with torch), which CI machines may lack: then the test is skipped with the reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@recur/backend-js';
import { GRU, LSTM } from '@recur/core';
import { describe, expect, it } from 'vitest';
import { writeSafetensors } from './write.js';

const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('../../../../tools/fixtures/read_safetensors.py', import.meta.url));
const torchMissing = (() => {
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  return probe.status === 0
    ? undefined
    : `PyTorch is not installed (${python} -c "import torch" failed: apt-get install -y python3-torch libopenblas0-openmp)`;
})();
if (torchMissing !== undefined) console.warn(`[recur io] PyTorch read-back test SKIPPED — ${torchMissing}`);

describe.skipIf(torchMissing !== undefined)('PyTorch reads the safetensors Recur writes', () => {
  it('every dtype, a projected bidirectional LSTM and a GRU, values exact in the stored dtype', () => {
    const backend = createJsBackend();
    const dir = mkdtempSync(join(tmpdir(), 'recur-safetensors-'));
    const modules = {
      lstm: new LSTM({
        inputSize: 3,
        hiddenSize: 4,
        numLayers: 2,
        projSize: 2,
        bidirectional: true,
        backend,
      }),
      gru: new GRU({ inputSize: 2, hiddenSize: 3, bias: false, backend, dtype: 'float64' }),
    };
    const args: string[] = [];
    for (const [name, module] of Object.entries(modules)) {
      for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
        const file = join(dir, `${name}-${dtype}.safetensors`);
        writeFileSync(
          file,
          writeSafetensors(module.stateDict(), { dtype, metadata: { 'recur.module': name } }),
        );
        const expected = {
          dtype,
          tensors: Object.fromEntries(
            module.namedParameters().map(([n, p]) => [n, { shape: p.value.shape, data: p.value.toList() }]),
          ),
        };
        writeFileSync(`${file}.json`, JSON.stringify(expected));
        args.push(file, `${file}.json`);
      }
    }
    const out = execFileSync(python, [script, ...args], { encoding: 'utf8' });
    console.log(out.trim());
    expect(out.match(/^ok /gm)?.length).toBe(8);
  });
});
