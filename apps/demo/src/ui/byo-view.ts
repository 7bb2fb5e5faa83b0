/**
 * "Bring your own model": a dropped `.pt`/`.pth`, `.safetensors` or `.onnx` file is read on the page
 * (`@recur/io`), listed (tensors, the inferred module, the options the file cannot say), run once on a
 * chosen backend's engine over a seeded random input, and exported back as safetensors or ONNX.
 */
import type { Engines } from '../app/engines.js';
import type { ExportFormat } from '../byo/export.js';
import { exportModule, onnxRefusal } from '../byo/export.js';
import { mergeOptions, unknownOptionFields } from '../byo/options.js';
import type { LoadedFile } from '../byo/read.js';
import { readWeightFile } from '../byo/read.js';
import { inputShapeOf } from '../byo/run.js';
import type { BackendName, PlainState } from '../engine/protocol.js';
import { backendNames } from '../engine/protocol.js';
import { dropZone, moduleLine, optionFields, tensorTable } from './byo-file-parts.js';
import { formatNumber, h, replaceChildren } from './dom.js';

/** Limits of the sampled input, small enough for the slowest engine to answer at once. */
const LIMITS = { seqLen: [1, 1000], batch: [1, 256] } as const;

/** The panel. */
export class ByoView {
  readonly element: HTMLElement;
  private readonly error = h('p', { id: 'byo-error', class: 'failure', role: 'alert', hidden: true });
  private readonly details = h('div', { id: 'byo-details' });
  private readonly backend = h('select', { id: 'byo-backend' });
  private readonly seqLen = h('input', { id: 'byo-seq-len', type: 'text', inputmode: 'numeric', value: '5' });
  private readonly batch = h('input', { id: 'byo-batch', type: 'text', inputmode: 'numeric', value: '2' });
  private readonly inputShape = h('span', { id: 'byo-input-shape' });
  private readonly result = h('div', { id: 'byo-result', 'aria-live': 'polite' });
  private readonly exported = h('p', { id: 'byo-export', 'aria-live': 'polite' });
  private loaded: { file: LoadedFile; readOptions: () => Record<string, unknown> } | undefined;
  private downloadUrl: string | undefined;

  constructor(private readonly engines: Engines) {
    this.element = h(
      'section',
      { class: 'card', id: 'byo' },
      h('h2', {}, 'Bring your own model'),
      h(
        'p',
        {},
        'A PyTorch RNN, LSTM or GRU (or cell) saved with torch.save, as safetensors, or exported to ONNX: ' +
          'see what the file holds, run it here on any backend, and export it again. The file stays on this page.',
      ),
      dropZone((file) => void this.open(file)),
      this.error,
      this.details,
    );
    this.seqLen.addEventListener('input', () => this.showInputShape());
    this.batch.addEventListener('input', () => this.showInputShape());
    this.renderBackends();
  }

  /** Lists the backends in the same order and state as the backends panel (call when they change). */
  renderBackends(): void {
    const chosen = this.backend.value;
    const ready = this.engines.ready();
    replaceChildren(
      this.backend,
      ...backendNames.map((name) => {
        const state = this.engines.status(name).state;
        const label = state === 'ready' ? name : `${name} (${state})`;
        return h('option', { value: name, disabled: state !== 'ready', selected: name === chosen }, label);
      }),
    );
    if (!ready.includes(chosen as BackendName) && ready[0] !== undefined) this.backend.value = ready[0];
  }

  private async open(file: File): Promise<void> {
    const read = readWeightFile(file.name, new Uint8Array(await file.arrayBuffer()));
    this.loaded = undefined;
    this.error.hidden = read.ok;
    this.error.textContent = read.ok ? '' : read.error;
    if (!read.ok) {
      replaceChildren(this.details, read.rows === undefined ? null : tensorTable(read.rows));
      return;
    }
    const fields = optionFields(unknownOptionFields(read.inferred));
    this.loaded = { file: read, readOptions: fields.read };
    replaceChildren(this.result);
    replaceChildren(this.exported);
    const onnxNote = onnxRefusal(read.inferred.module, read.inferred.options);
    replaceChildren(
      this.details,
      moduleLine(read.inferred),
      tensorTable(read.rows),
      fields.element,
      h('h3', {}, 'Run it'),
      h(
        'div',
        { class: 'inline-fields' },
        h('div', { class: 'field' }, h('label', { for: 'byo-backend' }, 'backend'), this.backend),
        h('div', { class: 'field' }, h('label', { for: 'byo-seq-len' }, 'sequence length'), this.seqLen),
        h('div', { class: 'field' }, h('label', { for: 'byo-batch' }, 'batch'), this.batch),
      ),
      h('p', { class: 'hint' }, 'Input: standard normal, seed 1, shape ', this.inputShape),
      h('button', { type: 'button', id: 'byo-run', class: 'primary', onclick: () => void this.run() }, 'Run'),
      this.result,
      h('h3', {}, 'Export'),
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          { type: 'button', id: 'byo-export-safetensors', onclick: () => this.export('safetensors') },
          'safetensors',
        ),
        ' ',
        h(
          'button',
          {
            type: 'button',
            id: 'byo-export-onnx',
            disabled: onnxNote !== undefined,
            onclick: () => this.export('onnx'),
          },
          'ONNX',
        ),
      ),
      onnxNote === undefined ? null : h('p', { id: 'byo-onnx-refusal', class: 'hint' }, onnxNote),
      this.exported,
    );
    this.renderBackends();
    this.showInputShape();
  }

  /** The merged options and sizes, or a message saying which field is wrong. */
  private inputs(): { options: Record<string, unknown>; seqLen: number; batch: number } | string {
    const { file, readOptions } = this.loaded!;
    const sizes = { seqLen: Number(this.seqLen.value), batch: Number(this.batch.value) };
    for (const [name, value] of Object.entries(sizes) as [keyof typeof LIMITS, number][]) {
      const [min, max] = LIMITS[name];
      if (!(Number.isInteger(value) && value >= min && value <= max)) {
        return `${name === 'seqLen' ? 'sequence length' : 'batch'} must be a whole number from ${min} to ${max}`;
      }
    }
    try {
      return { options: mergeOptions(file.inferred, readOptions()), ...sizes };
    } catch (error) {
      return (error as Error).message;
    }
  }

  private showInputShape(): void {
    if (this.loaded === undefined) return;
    const inputs = this.inputs();
    this.inputShape.textContent =
      typeof inputs === 'string'
        ? `— ${inputs}`
        : `[${inputShapeOf(this.loaded.file.inferred.module, inputs.options, inputs.seqLen, inputs.batch).join(', ')}]`;
  }

  private async run(): Promise<void> {
    if (this.loaded === undefined) return;
    const inputs = this.inputs();
    if (typeof inputs === 'string') {
      replaceChildren(this.result, h('p', { class: 'failure' }, inputs));
      return;
    }
    const backend = this.backend.value as BackendName;
    replaceChildren(this.result, h('p', { class: 'status' }, `running on ${backend}…`));
    try {
      const out = await this.engines.client(backend).request('runModule', {
        kind: this.loaded.file.inferred.module,
        options: inputs.options,
        state: plainState(this.loaded.file),
        seqLen: inputs.seqLen,
        batch: inputs.batch,
        seed: 1,
      });
      replaceChildren(
        this.result,
        h(
          'p',
          {
            class: 'status',
            id: 'byo-output',
            'data-backend': backend,
            'data-first': JSON.stringify(out.first),
            'data-shape': out.outputShape.join(','),
            'data-path': out.path,
          },
          `${backend}, path ${out.path}: input [${out.inputShape.join(', ')}] → output [${out.outputShape.join(', ')}]`,
        ),
        h(
          'p',
          { class: 'status', id: 'byo-values' },
          `first values: ${out.first.map((v) => formatNumber(v, 4)).join(', ')}`,
        ),
      );
    } catch (error) {
      replaceChildren(this.result, h('p', { class: 'failure' }, `${backend}: ${(error as Error).message}`));
    }
  }

  private export(format: ExportFormat): void {
    if (this.loaded === undefined) return;
    const inputs = this.inputs();
    if (typeof inputs === 'string') {
      replaceChildren(this.exported, h('span', { class: 'failure' }, inputs));
      return;
    }
    const { file } = this.loaded;
    const base = file.fileName.replace(/\.[^.]+$/, '');
    const out = exportModule(format, file.inferred.module, inputs.options, plainState(file), base);
    if (this.downloadUrl !== undefined) URL.revokeObjectURL(this.downloadUrl);
    this.downloadUrl = undefined;
    if (!out.ok) {
      replaceChildren(this.exported, h('span', { class: 'failure' }, out.reason));
      return;
    }
    this.downloadUrl = URL.createObjectURL(
      new Blob([out.bytes as Uint8Array<ArrayBuffer>], { type: out.mime }),
    );
    replaceChildren(
      this.exported,
      h(
        'a',
        { id: 'byo-download', href: this.downloadUrl, download: out.fileName },
        `Download ${out.fileName}`,
      ),
      ` (${out.bytes.length.toLocaleString('en')} bytes)`,
    );
  }
}

/** The file's tensors as plain `{shape, data}` entries (copied as the request crosses to the engine). */
function plainState(file: LoadedFile): PlainState {
  return Object.fromEntries(
    Object.entries(file.tensors).map(([n, t]) => [n, { shape: [...t.shape], data: t.data }]),
  );
}
