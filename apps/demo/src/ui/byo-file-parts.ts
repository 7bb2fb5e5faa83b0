/**
 * The parts of the "Bring your own model" panel that describe a file: the drop zone, the tensor
 * table, the inferred module line and the fields for the options the file cannot say.
 */
import type { InferredModule } from '@recur/io';
import type { OptionField } from '../byo/options.js';
import type { TensorRow } from '../byo/read.js';
import { h } from './dom.js';

/** A drop zone with a file picker inside; calls `onFile` with the file dropped or picked. */
export function dropZone(onFile: (file: File) => void): HTMLElement {
  const input = h('input', {
    type: 'file',
    id: 'byo-file',
    accept: '.pt,.pth,.safetensors,.onnx',
    onchange: (event: Event) => {
      const file = (event.target as HTMLInputElement).files?.[0];
      if (file !== undefined) onFile(file);
    },
  });
  const zone = h(
    'label',
    { class: 'drop-zone', for: 'byo-file' },
    h('strong', {}, 'Drop a weight file here'),
    ' or pick one: .pt / .pth (torch.save), .safetensors, .onnx',
    input,
  );
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) onFile(file);
  });
  return zone;
}

/** The tensors of a file: name, stored dtype, shape. */
export function tensorTable(rows: readonly TensorRow[]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { id: 'byo-tensors', class: 'numbers' },
      h('thead', {}, h('tr', {}, h('th', {}, 'tensor'), h('th', {}, 'stored as'), h('th', {}, 'shape'))),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, r.name),
            h('td', {}, r.stored),
            h('td', {}, `[${r.shape.join(', ')}]`),
          ),
        ),
      ),
    ),
  );
}

/** One line: the module kind, where it was learnt from, and its options. */
export function moduleLine(inferred: InferredModule): HTMLElement {
  const options = Object.entries(inferred.options)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  const from = inferred.source === 'metadata' ? 'as the file says' : 'from the parameter names and shapes';
  return h(
    'p',
    { id: 'byo-module', 'data-module': inferred.module },
    h('strong', {}, inferred.module),
    ` (${from}): ${options}`,
  );
}

/** Editable fields for `fields`; `read()` gives the current values by option name. */
export function optionFields(fields: readonly OptionField[]): {
  element: HTMLElement;
  read: () => Record<string, unknown>;
} {
  const readers: (() => [string, unknown])[] = [];
  const rows = fields.map((field) => {
    const id = `byo-option-${field.name}`;
    let control: HTMLInputElement | HTMLSelectElement;
    if (field.kind === 'boolean') {
      control = h('input', { id, type: 'checkbox', checked: field.value });
      readers.push(() => [field.name, (control as HTMLInputElement).checked]);
    } else if (field.kind === 'number') {
      control = h('input', { id, type: 'text', inputmode: 'decimal', value: String(field.value) });
      readers.push(() => [field.name, Number(control.value)]);
    } else {
      control = h(
        'select',
        { id },
        ...field.choices.map((c) => h('option', { value: c, selected: c === field.value }, c)),
      );
      readers.push(() => [field.name, control.value]);
    }
    return h('div', { class: 'field' }, h('label', { for: id }, field.name), control);
  });
  const element =
    fields.length === 0
      ? h('p', { class: 'hint' }, 'The file says every option.')
      : h(
          'div',
          {},
          h(
            'p',
            { class: 'hint' },
            "Not in the file (PyTorch's defaults; change them if the model was built otherwise):",
          ),
          h('div', { class: 'inline-fields', id: 'byo-options' }, ...rows),
        );
  return { element, read: () => Object.fromEntries(readers.map((r) => r())) };
}
