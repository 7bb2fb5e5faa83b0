/**
 * Vanishing gradients, the first limit of vanilla RNNs, made visible: for RNN, LSTM and GRU, the
 * norm of d loss / d x_t against the distance from the end of the sequence (log scale), at
 * initialisation and after training on the adding problem, computed on the active backend.
 */
import type { Chart } from 'chart.js';
import type { Engines } from '../app/engines.js';
import type { Trainer } from '../app/trainer.js';
import type { CellName, Requests } from '../engine/protocol.js';
import type { Point } from './charts.js';
import { lineDataset, vanishingChart } from './charts.js';
import { formatNumber, h, replaceChildren } from './dom.js';

type Profile = Requests['vanishing']['result'];

const cells: CellName[] = ['rnn', 'lstm', 'gru'];

/** The panel's own small form, checked like the training controls. */
const fields = {
  length: { label: 'sequence length T', value: '50', min: 4, max: 200 },
  steps: { label: 'training steps', value: '300', min: 0, max: 5000 },
  hidden: { label: 'hidden size', value: '32', min: 1, max: 128 },
} as const;

type Field = keyof typeof fields;

/** The panel. */
export class VanishingView {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly summary: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly inputs: Record<Field, HTMLInputElement>;
  private readonly errors: Record<Field, HTMLElement>;
  private chart: Chart<'line', Point[]> | undefined;

  constructor(
    private readonly engines: Engines,
    private readonly trainer: Trainer,
  ) {
    this.inputs = {} as Record<Field, HTMLInputElement>;
    this.errors = {} as Record<Field, HTMLElement>;
    const rows = (Object.keys(fields) as Field[]).map((name) => {
      this.inputs[name] = h('input', {
        id: `vanishing-${name}`,
        type: 'text',
        inputmode: 'numeric',
        value: fields[name].value,
      });
      this.errors[name] = h('span', { class: 'field-error', id: `vanishing-${name}-error`, role: 'alert' });
      this.inputs[name].addEventListener('input', () => this.read());
      return h(
        'div',
        { class: 'field' },
        h('label', { for: `vanishing-${name}` }, fields[name].label),
        this.inputs[name],
        this.errors[name],
      );
    });
    this.button = h(
      'button',
      { type: 'button', id: 'run-vanishing', onclick: () => void this.run() },
      'Measure gradients',
    );
    this.summary = h('p', { id: 'vanishing-summary', class: 'summary', 'aria-live': 'polite' });
    this.table = h('table', { id: 'vanishing-table', class: 'numbers' });
    this.canvas = h('canvas', {
      id: 'vanishing-chart',
      'aria-label': 'gradient norm against distance, log scale',
    });
    this.element = h(
      'section',
      { class: 'card', id: 'vanishing' },
      h('h2', {}, 'Vanishing gradients'),
      h(
        'p',
        {},
        'Why LSTM and GRU exist. Backpropagation through time multiplies one Jacobian per step, so in a vanilla ' +
          'RNN the gradient reaching an input T steps back shrinks geometrically and the model cannot learn what ' +
          'depends on it. The chart shows ‖d loss / d xₜ‖ relative to the last step, by distance from the end, at ' +
          'initialisation (dashed) and after training (solid) on the adding problem: the target is the sum of two ' +
          'marked values, one in the first half of the sequence, so it needs exactly such long-range gradients.',
      ),
      h('div', { class: 'inline-fields' }, ...rows),
      this.button,
      this.summary,
      h('div', { class: 'chart', hidden: true }, this.canvas),
      h('div', { class: 'table-scroll' }, this.table),
    );
  }

  private read(): Record<Field, number> | undefined {
    let ok = true;
    const values = {} as Record<Field, number>;
    for (const name of Object.keys(fields) as Field[]) {
      const text = this.inputs[name].value.trim();
      const { min, max } = fields[name];
      let message = '';
      if (!/^\d+$/.test(text))
        message = text === '' ? 'enter a whole number' : `"${text}" is not a whole number`;
      else if (Number(text) < min) message = `must be at least ${min}`;
      else if (Number(text) > max) message = `at most ${max} here`;
      this.errors[name].textContent = message;
      this.inputs[name].setAttribute('aria-invalid', String(message !== ''));
      ok &&= message === '';
      values[name] = Number(text);
    }
    this.button.disabled = !ok;
    return ok ? values : undefined;
  }

  /** Measures the three cells on the active backend (training pauses meanwhile). */
  async run(): Promise<void> {
    const values = this.read();
    if (values === undefined) return;
    const backend = this.trainer.active;
    if (this.engines.status(backend).state !== 'ready') {
      this.summary.textContent = `The active backend (${backend}) is not available.`;
      return;
    }
    this.button.disabled = true;
    this.element.dataset.state = 'running';
    const profiles = new Map<CellName, Profile>();
    try {
      await this.trainer.withTrainingPaused(async () => {
        for (const cell of cells) {
          this.summary.textContent = `${cell.toUpperCase()}: measuring at initialisation, training ${values.steps} steps on ${backend}…`;
          const profile = await this.engines.client(backend).request('vanishing', {
            cell,
            hidden: values.hidden,
            length: values.length,
            steps: values.steps,
            seed: 7,
          });
          profiles.set(cell, profile);
          this.render(profiles);
        }
      });
      const far = values.length - 1;
      this.summary.textContent =
        `On ${backend}, T = ${values.length}, hidden ${values.hidden}, ${values.steps} training steps (Adam, lr 0.01). ` +
        `Gradient ratio at distance ${far} after training: ` +
        cells.map((c) => `${c.toUpperCase()} ${formatNumber(profiles.get(c)!.trained[far]!, 2)}`).join(', ') +
        '.';
    } catch (error) {
      this.summary.textContent = `Stopped: ${(error as Error).message}`;
    } finally {
      this.button.disabled = false;
      this.element.dataset.state = 'done';
    }
  }

  private render(profiles: ReadonlyMap<CellName, Profile>): void {
    // The chart's box stays hidden until there is something to draw, so an unused panel stays short.
    this.canvas.parentElement!.hidden = false;
    this.chart ??= vanishingChart(this.canvas);
    // Zeros (a gradient that underflowed float32) cannot sit on a log axis: they are left out.
    const points = (ratios: number[]): Point[] =>
      ratios.map((y, x) => ({ x, y: y > 0 && Number.isFinite(y) ? y : null }));
    this.chart.data.datasets = [...profiles].flatMap(([cell, p]) => [
      lineDataset(`${cell.toUpperCase()} at initialisation`, cell, points(p.init), {
        borderDash: [5, 4],
        borderWidth: 1.5,
      }),
      lineDataset(`${cell.toUpperCase()} trained`, cell, points(p.trained)),
    ]);
    this.chart.update('none');
    replaceChildren(
      this.table,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'cell'),
          h('th', {}, 'probe MSE at init'),
          h('th', {}, 'probe MSE trained'),
          h('th', {}, 'ratio at the far end, init'),
          h('th', {}, 'ratio at the far end, trained'),
        ),
      ),
      h(
        'tbody',
        {},
        ...[...profiles].map(([cell, p]) =>
          h(
            'tr',
            { 'data-cell': cell },
            h('th', { scope: 'row' }, cell.toUpperCase()),
            h('td', {}, formatNumber(p.mseInit)),
            h('td', {}, formatNumber(p.mseTrained)),
            h('td', {}, formatNumber(p.init.at(-1)!, 2)),
            h('td', {}, formatNumber(p.trained.at(-1)!, 2)),
          ),
        ),
      ),
    );
  }
}
