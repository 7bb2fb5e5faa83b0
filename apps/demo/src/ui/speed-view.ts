/**
 * Speed: the median time of one training step of the current model on each backend found, fused
 * and composed, and tf.layers on the same tfjs engine where the backend is a tfjs one.
 */
import type { Chart } from 'chart.js';
import type { Engines } from '../app/engines.js';
import type { Trainer } from '../app/trainer.js';
import type { BackendName, ModelConfig } from '../engine/protocol.js';
import { colours, speedChart } from './charts.js';
import { h, replaceChildren } from './dom.js';

/** Timed steps per measurement (after two warm-up steps). */
const REPS = 5;

/** The three kinds of bar. */
const series = [
  { key: 'fused', label: 'Recur, fused path', colour: colours.lstm! },
  { key: 'composed', label: 'Recur, composed path', colour: colours.naive! },
  { key: 'tfjs-layers', label: 'tf.layers on the same tfjs engine', colour: '#7f7f7f' },
] as const;

type Kind = (typeof series)[number]['key'];

/** The panel. */
export class SpeedView {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly summary: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly notes: HTMLElement;
  private chart: Chart<'bar', (number | null)[], string> | undefined;

  constructor(
    private readonly engines: Engines,
    private readonly trainer: Trainer,
    private readonly config: () => ModelConfig | undefined,
  ) {
    this.button = h(
      'button',
      { type: 'button', id: 'run-speed', onclick: () => void this.run() },
      'Measure speed',
    );
    this.summary = h('p', { id: 'speed-summary', class: 'summary', 'aria-live': 'polite' });
    this.table = h('table', { id: 'speed-table', class: 'numbers' });
    this.notes = h('ul', { id: 'speed-notes', class: 'notes' });
    this.canvas = h('canvas', {
      id: 'speed-chart',
      'aria-label': 'milliseconds per training step by backend',
    });
    this.element = h(
      'section',
      { class: 'card', id: 'speed' },
      h('h2', {}, 'Speed'),
      h(
        'p',
        {},
        'Median wall time of one training step of the current model at the current batch size (batch, ' +
          `forward, loss, backward, gradient clipping, Adam), ${REPS} timed steps after 2 warm-up steps, on each ` +
          'backend found, fused and composed. Beside each tfjs engine: the same task written with tf.layers and ' +
          "trained with tfjs's Adam on that engine (its GRU is tfjs's reset-before variant). Training pauses meanwhile.",
      ),
      this.button,
      this.summary,
      h('div', { class: 'chart', hidden: true }, this.canvas),
      h('div', { class: 'table-scroll' }, this.table),
      this.notes,
    );
  }

  /** Measures every backend (training pauses meanwhile). */
  async run(): Promise<void> {
    const config = this.trainer.session.config ?? this.config();
    if (config === undefined) {
      this.summary.textContent = 'Fix the highlighted settings first.';
      return;
    }
    this.button.disabled = true;
    this.element.dataset.state = 'running';
    try {
      await this.trainer.withTrainingPaused(() => this.measure(config));
    } finally {
      this.button.disabled = false;
      this.element.dataset.state = 'done';
    }
  }

  private async measure(config: ModelConfig): Promise<void> {
    const task = this.trainer.task;
    const backends = this.engines.ready();
    const results = new Map<string, number | string>();
    for (const backend of backends) {
      const kinds: Kind[] = backend === 'js' ? ['fused', 'composed'] : ['fused', 'composed', 'tfjs-layers'];
      for (const kind of kinds) {
        this.summary.textContent = `Timing ${backend}, ${kind}…`;
        try {
          const r = await this.engines
            .client(backend)
            .request('timeStep', { task, config, path: kind, reps: REPS });
          results.set(`${backend} ${kind}`, r.medianMs);
        } catch (error) {
          results.set(`${backend} ${kind}`, (error as Error).message);
        }
        this.render(backends, results);
      }
    }
    this.summary.textContent =
      `${config.cell.toUpperCase()}, hidden ${config.hidden}, ${config.layers} layer(s), batch ${config.batch}, ` +
      `task ${task}. Lower is faster.`;
  }

  private render(backends: readonly BackendName[], results: ReadonlyMap<string, number | string>): void {
    // The chart's box stays hidden until there is something to draw, so an unused panel stays short.
    this.canvas.parentElement!.hidden = false;
    this.chart ??= speedChart(this.canvas);
    const value = (b: BackendName, k: Kind) => {
      const v = results.get(`${b} ${k}`);
      return typeof v === 'number' ? v : null;
    };
    this.chart.data.labels = [...backends];
    this.chart.data.datasets = series.map((s) => ({
      label: s.label,
      data: backends.map((b) => value(b, s.key)),
      backgroundColor: s.colour,
    }));
    this.chart.update('none');
    const notes: string[] = [];
    const cell = (b: BackendName, k: Kind) => {
      const v = results.get(`${b} ${k}`);
      if (v === undefined) return h('td', {}, b === 'js' && k === 'tfjs-layers' ? 'no tfjs engine' : '…');
      if (typeof v === 'number') return h('td', { 'data-ms': String(v) }, `${v.toFixed(1)} ms`);
      // tf.layers failing on an engine is a finding about tf.layers, not a failure of Recur.
      if (k === 'tfjs-layers') {
        notes.push(`tf.layers on ${b}: ${v}`);
        return h('td', { class: 'unsupported', title: v }, `cannot train it (note ${notes.length})`);
      }
      return h('td', { class: 'fail', title: v }, `failed: ${v}`);
    };
    replaceChildren(
      this.table,
      h('thead', {}, h('tr', {}, h('th', {}, 'backend'), ...series.map((s) => h('th', {}, s.label)))),
      h(
        'tbody',
        {},
        ...backends.map((b) =>
          h('tr', { 'data-backend': b }, h('th', { scope: 'row' }, b), ...series.map((s) => cell(b, s.key))),
        ),
      ),
    );
    replaceChildren(this.notes, ...notes.map((n, i) => h('li', {}, `note ${i + 1}: ${n}`)));
  }
}
