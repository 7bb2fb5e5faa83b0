/**
 * The training controls: cell, sizes, learning rate, batch, seed and path, each with a message slot
 * beside it. Values are kept per task (each task has its own sensible defaults).
 */

import type { FieldName, RawControls, Validation } from '../app/validate.js';
import { validateControls } from '../app/validate.js';
import type { TaskName } from '../engine/protocol.js';
import { h } from './dom.js';

/** Starting values per task: small enough to train visibly in seconds on any backend. */
const defaults: Record<TaskName, RawControls> = {
  classify: {
    cell: 'gru',
    hidden: '32',
    layers: '1',
    bidirectional: true,
    lr: '0.01',
    batch: '32',
    seed: '1',
    path: 'auto',
  },
  generate: {
    cell: 'gru',
    hidden: '64',
    layers: '1',
    bidirectional: false,
    lr: '0.01',
    batch: '32',
    seed: '1',
    path: 'auto',
  },
  forecast: {
    cell: 'lstm',
    hidden: '32',
    layers: '1',
    bidirectional: false,
    lr: '0.005',
    batch: '32',
    seed: '1',
    path: 'auto',
  },
};

/** Fields that define the model's shape (and its initial weights): fixed while a model exists. */
export const shapeFields = ['cell', 'hidden', 'layers', 'seed'] as const;

/** The controls panel. */
export class ControlsView {
  readonly element: HTMLElement;
  private task: TaskName = 'classify';
  private readonly values: Record<TaskName, RawControls> = structuredClone(defaults);
  private readonly inputs: Record<FieldName, HTMLInputElement | HTMLSelectElement>;
  private readonly bidirectional: HTMLInputElement;
  private readonly bidirectionalNote: HTMLElement;
  private readonly errors: Record<FieldName, HTMLElement>;
  private readonly listeners = new Set<(validation: Validation) => void>();
  private readonly parameterLine: HTMLElement;
  private readonly lockLine: HTMLElement;
  private locked = false;

  constructor() {
    const text = (name: FieldName, hint: string) =>
      h('input', {
        id: `field-${name}`,
        name,
        type: 'text',
        inputmode: 'decimal',
        autocomplete: 'off',
        title: hint,
      });
    const select = (name: FieldName, options: [string, string][]) =>
      h(
        'select',
        { id: `field-${name}`, name },
        ...options.map(([value, label]) => h('option', { value }, label)),
      );
    this.inputs = {
      cell: select('cell', [
        ['rnn', 'RNN (tanh)'],
        ['lstm', 'LSTM'],
        ['gru', 'GRU'],
      ]),
      hidden: text('hidden', 'units per layer'),
      layers: text('layers', 'stacked layers'),
      lr: text('lr', "Adam's learning rate"),
      batch: text('batch', 'examples per step'),
      seed: text('seed', 'seeds the initial weights, the data split and the batches'),
      path: select('path', [
        ['auto', 'auto'],
        ['fused', 'fused kernel'],
        ['composed', 'composed'],
      ]),
    };
    this.bidirectional = h('input', { id: 'field-bidirectional', type: 'checkbox' });
    this.bidirectionalNote = h('span', { class: 'hint' });
    this.errors = Object.fromEntries(
      Object.keys(this.inputs).map((name) => [
        name,
        h('span', { class: 'field-error', id: `error-${name}`, role: 'alert', 'aria-live': 'polite' }),
      ]),
    ) as Record<FieldName, HTMLElement>;
    this.parameterLine = h('p', { class: 'hint', id: 'parameter-count' });
    this.lockLine = h('p', { class: 'hint lock', id: 'shape-lock', hidden: true });
    const row = (name: FieldName, label: string) =>
      h(
        'div',
        { class: 'field' },
        h('label', { for: `field-${name}` }, label),
        this.inputs[name],
        this.errors[name],
      );
    this.element = h(
      'form',
      { class: 'controls', id: 'controls', novalidate: true, onsubmit: (e: Event) => e.preventDefault() },
      row('cell', 'cell'),
      row('hidden', 'hidden size'),
      row('layers', 'layers'),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'field-bidirectional' }, 'bidirectional'),
        this.bidirectional,
        this.bidirectionalNote,
      ),
      row('lr', 'learning rate'),
      row('batch', 'batch size'),
      row('seed', 'seed'),
      row('path', 'path'),
      h(
        'p',
        { class: 'hint', id: 'path-hint' },
        'path: fused runs the whole sequence in one kernel, composed builds each cell from primitives; ' +
          'auto takes fused when the backend has it.',
      ),
      this.parameterLine,
      this.lockLine,
    );
    for (const input of [...Object.values(this.inputs), this.bidirectional]) {
      input.addEventListener('input', () => this.changed());
      input.addEventListener('change', () => this.changed());
    }
    this.load();
  }

  /** Shows `task`'s values. */
  setTask(task: TaskName): void {
    this.values[this.task] = this.raw();
    this.task = task;
    this.load();
  }

  /** The current values, checked. Messages appear beside the bad fields. */
  validate(): Validation {
    const validation = validateControls(this.task, this.raw());
    for (const [name, slot] of Object.entries(this.errors) as [FieldName, HTMLElement][]) {
      const message = validation.ok ? '' : (validation.errors[name] ?? '');
      slot.textContent = message;
      this.inputs[name].setAttribute('aria-invalid', message === '' ? 'false' : 'true');
    }
    this.parameterLine.textContent = validation.ok
      ? `${validation.parameters.toLocaleString('en-US')} trainable parameters`
      : '';
    return validation;
  }

  /**
   * Locks the fields that define the model's shape while a model exists (trained or training), so
   * an edit can never silently replace it: Reset (an explicit choice) unlocks them.
   */
  setLocked(locked: boolean): void {
    if (locked === this.locked) return;
    this.locked = locked;
    for (const name of shapeFields) this.inputs[name].disabled = locked;
    this.bidirectional.disabled = locked || this.task === 'generate';
    this.element.dataset.locked = String(locked);
    this.lockLine.hidden = !locked;
    this.lockLine.textContent = locked
      ? 'Cell, sizes, direction and seed belong to the model in training: press Reset to start a new model ' +
        'with other ones. Learning rate and batch size apply as you go.'
      : '';
  }

  /** Calls `listener` with the validation after every edit. */
  onChange(listener: (validation: Validation) => void): void {
    this.listeners.add(listener);
  }

  private raw(): RawControls {
    const v = (name: FieldName) => this.inputs[name].value;
    return {
      cell: v('cell'),
      hidden: v('hidden'),
      layers: v('layers'),
      bidirectional: this.bidirectional.checked,
      lr: v('lr'),
      batch: v('batch'),
      seed: v('seed'),
      path: v('path'),
    };
  }

  private load(): void {
    const values = this.values[this.task];
    for (const name of Object.keys(this.inputs) as FieldName[]) this.inputs[name].value = values[name];
    const applies = this.task !== 'generate';
    this.bidirectional.checked = values.bidirectional && applies;
    this.bidirectional.disabled = !applies || this.locked;
    this.bidirectionalNote.textContent = applies
      ? ''
      : 'not for generation: a reverse pass would see the letters to predict';
    this.validate();
  }

  private changed(): void {
    const validation = this.validate();
    for (const listener of this.listeners) listener(validation);
  }
}
