/**
 * Vanishing gradients, the first limit of vanilla RNNs, made visible: for RNN, LSTM and GRU, the
 * norm of d loss / d x_t against the distance from the end of the sequence (log scale), at
 * initialisation and after training on the adding problem, computed on the active backend. The
 * conclusion under the chart is written from the measured numbers, never as fixed text.
 */

import { constantAnswerMse } from '@recur/runner';
import type { Chart } from 'chart.js';
import type { Engines } from '../app/engines.js';
import type { Trainer } from '../app/trainer.js';
import { parseInteger } from '../app/validate.js';
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

/** A ratio at the far end at least this large: the gradient still reaches the first steps. */
export const REACHES = 1e-2;
/** Below this: it has vanished (the first steps get nothing to learn from). */
export const VANISHED = 1e-4;

/** What one cell's measurement says, in words, from its numbers. */
function verdict(ratio: number): 'reaches' | 'weakened' | 'vanished' {
  return ratio >= REACHES ? 'reaches' : ratio < VANISHED || !(ratio > 0) ? 'vanished' : 'weakened';
}

/** `A`, `A and B`, `A, B and C`. */
function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * The panel's conclusion from the measured profiles: where the gradient at the far end still
 * reaches, where it vanished, and which cells learned the task (probe MSE against always answering 1).
 */
export function conclusion(profiles: ReadonlyMap<CellName, Profile>, length: number): string {
  const far = length - 1;
  const name = (c: CellName) => c.toUpperCase();
  const groups = { reaches: [] as string[], weakened: [] as string[], vanished: [] as string[] };
  for (const [cell, p] of profiles)
    groups[verdict(p.trained[far]!)].push(`${name(cell)} (${formatNumber(p.trained[far]!, 2)})`);
  const parts: string[] = [];
  if (groups.reaches.length > 0)
    parts.push(`the gradient still reaches the first steps for ${list(groups.reaches)}`);
  if (groups.weakened.length > 0) parts.push(`it is weakened for ${list(groups.weakened)}`);
  if (groups.vanished.length > 0) parts.push(`it has vanished for ${list(groups.vanished)}`);
  const learned: string[] = [];
  const notYet: string[] = [];
  for (const [cell, p] of profiles) {
    const text = `${name(cell)} ${formatNumber(p.mseTrained)}`;
    (p.mseTrained < constantAnswerMse / 2 ? learned : notYet).push(text);
  }
  const zeros = [...profiles]
    .filter(([, p]) => p.trained.some((r) => r === 0) || p.init.some((r) => r === 0))
    .map(([c]) => name(c));
  return (
    `After training, at distance ${far}: ${parts.join('; ')}. ` +
    `Probe MSE: ${learned.length > 0 ? `${list(learned)} learned the task` : 'no cell learned the task yet'}` +
    `${notYet.length > 0 ? `; ${list(notYet)} ${notYet.length === 1 ? 'is' : 'are'} no better than always answering 1 (MSE ${formatNumber(constantAnswerMse)})` : ''}.` +
    (zeros.length > 0
      ? ` ${list(zeros)}: where a ratio underflowed float32 to 0 its line ends (0 has no place on a log axis).`
      : '')
  );
}

/** The panel. */
export class VanishingView {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly summary: HTMLElement;
  private readonly conclusion: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly inputs: Record<Field, HTMLInputElement>;
  private readonly errors: Record<Field, HTMLElement>;
  private readonly chrono: HTMLInputElement;
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
    this.chrono = h('input', { id: 'vanishing-chrono', type: 'checkbox', checked: true });
    rows.push(
      h(
        'div',
        { class: 'field' },
        this.chrono,
        h('label', { for: 'vanishing-chrono' }, 'chrono-initialise the LSTM'),
      ),
    );
    this.button = h(
      'button',
      { type: 'button', id: 'run-vanishing', onclick: () => void this.run() },
      'Measure gradients',
    );
    this.summary = h('p', { id: 'vanishing-summary', class: 'summary', 'aria-live': 'polite' });
    this.conclusion = h('p', { id: 'vanishing-conclusion', class: 'conclusion', 'aria-live': 'polite' });
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
        'Backpropagation through time multiplies one Jacobian per step, so in a vanilla RNN the gradient ' +
          'reaching an input T steps back shrinks geometrically and the model cannot learn what depends on it; ' +
          'gated cells (LSTM, GRU) were designed to keep it. The chart shows ‖d loss / d xₜ‖ relative to the last ' +
          'step, by distance from the end, at initialisation (dashed) and after training (solid), one colour per ' +
          'cell, on the adding problem: the target is the sum of two marked values, one in the first half of the ' +
          'sequence, so learning it needs exactly such long-range gradients. The conclusion below the chart is ' +
          'written from the numbers measured here.',
      ),
      h(
        'p',
        { class: 'hint-text' },
        'Training: Adam, learning rate 0.01, batch 32, gradient norm clipped to 1. With PyTorch’s default ' +
          'initialisation an LSTM forgets quickly and needs thousands of steps before its gradient reaches far ' +
          'back; ticked, its gate biases are chrono-initialised instead (Tallec & Ollivier 2018: forget bias ' +
          'log u, input bias −log u, u ~ U[1, T − 1]), as in the adding-problem example. RNN and GRU keep ' +
          'PyTorch’s initialisation.',
      ),
      h('div', { class: 'inline-fields' }, ...rows),
      this.button,
      this.summary,
      h('div', { class: 'chart tall', hidden: true }, this.canvas),
      this.conclusion,
      h('div', { class: 'table-scroll' }, this.table),
    );
  }

  private read(): Record<Field, number> | undefined {
    let ok = true;
    const values = {} as Record<Field, number>;
    for (const name of Object.keys(fields) as Field[]) {
      const { min, max } = fields[name];
      const parsed = parseInteger(this.inputs[name].value, min, max, 'here');
      const message = typeof parsed === 'string' ? parsed : '';
      this.errors[name].textContent = message;
      this.inputs[name].setAttribute('aria-invalid', String(message !== ''));
      ok &&= message === '';
      values[name] = typeof parsed === 'number' ? parsed : Number.NaN;
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
    this.conclusion.textContent = '';
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
            chrono: this.chrono.checked,
          });
          profiles.set(cell, profile);
          this.render(profiles);
        }
      });
      const far = values.length - 1;
      for (const c of cells)
        this.element.setAttribute(`data-ratio-${c}`, String(profiles.get(c)!.trained[far]));
      this.summary.textContent =
        `On ${backend}, T = ${values.length}, hidden ${values.hidden}, ${values.steps} training steps` +
        `${this.chrono.checked ? ', LSTM chrono-initialised' : ', PyTorch’s initialisation'}. ` +
        `Gradient ratio at distance ${far} after training: ` +
        cells.map((c) => `${c.toUpperCase()} ${formatNumber(profiles.get(c)!.trained[far]!, 2)}`).join(', ') +
        '.';
      this.conclusion.textContent = conclusion(profiles, values.length);
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
