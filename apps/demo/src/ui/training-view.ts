/**
 * Start, stop, resume and reset; the status line (step, steps per second, losses, backend, path);
 * what went wrong, if anything; the live loss chart and the log.
 */
import type { Chart } from 'chart.js';
import { bestValidation } from '../app/session.js';
import type { Trainer } from '../app/trainer.js';
import { EARLY_STOP_PATIENCE } from '../app/trainer.js';
import { plainFailure } from '../engine/failure.js';
import { backendNames } from '../engine/protocol.js';
import type { Point } from './charts.js';
import { colours, lineDataset, lossChart } from './charts.js';
import { formatNumber, h, replaceChildren } from './dom.js';

/** Advice per failure kind: what the user can do next. */
const advice = {
  'context-lost':
    'The WebGL context was lost (the GPU was reset, or the browser took the context back). ' +
    'The weights the page last received are kept: choose another backend and press Resume, or press ' +
    '“Restart webgl” in the Backends list.',
  'out-of-memory':
    'The backend ran out of memory. The weights the page last received are kept. ' +
    'Make the model or the batch smaller, or choose another backend, and press Resume.',
  error: 'The weights the page last received are kept.',
} as const;

/**
 * A centred moving average of a loss curve, for display: it follows the trend without the lag of an
 * exponential average (which, on a short run, still shows the first steps' loss long after).
 * The window grows with the run: ±1 step at first, up to ±25.
 */
function smooth(points: readonly Point[]): Point[] {
  const ys = points.map((p) => p.y ?? Number.NaN);
  const half = Math.min(25, Math.max(1, Math.round(points.length / 60)));
  const prefix = [0];
  const counts = [0];
  for (const y of ys) {
    const ok = Number.isFinite(y);
    prefix.push(prefix.at(-1)! + (ok ? y : 0));
    counts.push(counts.at(-1)! + (ok ? 1 : 0));
  }
  return points.map((p, i) => {
    const lo = Math.max(0, i - half);
    const hi = Math.min(points.length, i + half + 1);
    const n = counts[hi]! - counts[lo]!;
    return { x: p.x, y: n === 0 ? null : (prefix[hi]! - prefix[lo]!) / n };
  });
}

/** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ at or above `v`: an axis top that reads well. */
function niceCeiling(v: number): number {
  const k = 10 ** Math.floor(Math.log10(v));
  return ([1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * k >= v) ?? 10) * k;
}

/** The panel. */
export class TrainingView {
  readonly element: HTMLElement;
  readonly buttons: { start: HTMLButtonElement; stop: HTMLButtonElement; reset: HTMLButtonElement };
  private readonly status: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly log: HTMLElement;
  private readonly chart: Chart<'line', Point[]>;
  private canStart = true;

  constructor(private readonly trainer: Trainer) {
    this.buttons = {
      start: h(
        'button',
        { type: 'button', id: 'start', class: 'primary', onclick: () => void trainer.start() },
        'Start',
      ),
      stop: h('button', { type: 'button', id: 'stop', onclick: () => void trainer.stop() }, 'Stop'),
      reset: h('button', { type: 'button', id: 'reset', onclick: () => void trainer.reset() }, 'Reset'),
    };
    this.status = h('p', { id: 'training-status', class: 'status', 'aria-live': 'polite' });
    this.banner = h('div', { id: 'failure', class: 'failure', role: 'alert', hidden: true });
    this.log = h('ul', { id: 'log', class: 'log' });
    const early = h('input', {
      id: 'early-stop',
      type: 'checkbox',
      onchange: (e: Event) => {
        trainer.earlyStopping = (e.target as HTMLInputElement).checked;
      },
    });
    const canvas = h('canvas', { id: 'loss-chart', 'aria-label': 'training and validation loss by step' });
    this.element = h(
      'div',
      { class: 'training' },
      h('div', { class: 'buttons' }, this.buttons.start, this.buttons.stop, this.buttons.reset),
      h(
        'label',
        { class: 'early-stop', for: 'early-stop' },
        early,
        ` stop early when the validation loss has not improved for ${EARLY_STOP_PATIENCE} passes (about ${EARLY_STOP_PATIENCE} s)`,
      ),
      this.status,
      this.banner,
      h('div', { class: 'chart tall' }, canvas),
      this.log,
    );
    this.chart = lossChart(canvas);
  }

  /** Enables Start only when the controls are valid. */
  setCanStart(ok: boolean): void {
    this.canStart = ok;
    this.renderState();
  }

  /** Buttons and status after a state change. */
  renderState(): void {
    const { state, session } = this.trainer;
    const { start, stop, reset } = this.buttons;
    start.textContent = session.config !== undefined && session.step > 0 ? 'Resume' : 'Start';
    start.disabled = state === 'training' || state === 'busy' || !this.canStart;
    stop.disabled = state !== 'training';
    reset.disabled = state === 'busy';
    this.element.dataset.state = state;
    this.renderStatus();
    const failure = this.trainer.failure;
    this.banner.hidden = failure === undefined;
    if (failure !== undefined) {
      const kind = failure.failure.kind;
      replaceChildren(
        this.banner,
        h('strong', {}, `Training on ${failure.backend} stopped. `),
        advice[kind],
        // The engine's own words, once, when they add something (a lost context is said above).
        kind === 'context-lost'
          ? null
          : h('div', { class: 'detail' }, plainFailure(failure.backend, failure.failure)),
      );
      this.banner.dataset.kind = failure.failure.kind;
    }
  }

  /** The status line. */
  renderStatus(): void {
    const { state, session, active } = this.trainer;
    const words: Record<typeof state, string> = {
      idle: 'not started',
      ready: 'stopped',
      training: 'training',
      busy: 'working…',
    };
    const backend = session.holder ?? active;
    // Building a model on webgl (its first evaluation) and its first step compile shaders: seconds.
    const settingUpWebgl = state === 'busy' && active === 'webgl' && session.holder !== 'webgl';
    const compiling =
      backend === 'webgl' || settingUpWebgl
        ? 'compiling WebGL shaders (the first steps are slow)'
        : 'warming up';
    const warming = (state === 'training' && session.warmingUp === true) || settingUpWebgl;
    const last = session.train.get(active)?.at(-1) ?? [...session.train.values()].at(-1)?.at(-1);
    const best = bestValidation(session);
    if (best === undefined) delete this.status.dataset.bestStep;
    else this.status.dataset.bestStep = String(best.x);
    const parts = [
      warming ? `${compiling}…` : words[state],
      `step ${session.step}`,
      state === 'training' && !warming && session.stepsPerSecond > 0
        ? `${session.stepsPerSecond.toFixed(1)} steps/s`
        : '',
      last?.y != null ? `train loss ${formatNumber(last.y)}` : '',
      session.evaluation === undefined ? '' : `validation loss ${formatNumber(session.evaluation.valLoss)}`,
      best !== undefined && best.x !== session.evaluation?.step
        ? `best ${formatNumber(best.y)} at step ${best.x} ★`
        : '',
      `on ${backend}${session.path === undefined ? '' : ` (${session.path})`}`,
    ];
    this.status.textContent = parts.filter((p) => p !== '').join(' · ');
    this.status.dataset.step = String(session.step);
    this.status.dataset.warming = String(warming);
    // A new model (another shape, Reset) has no passes yet: drop the old model's values, not show them.
    if (session.firstEvaluation === undefined) delete this.status.dataset.firstValLoss;
    else this.status.dataset.firstValLoss = String(session.firstEvaluation.valLoss);
    if (session.evaluation === undefined) {
      delete this.status.dataset.valLoss;
      delete this.status.dataset.valStep;
    } else {
      this.status.dataset.valLoss = String(session.evaluation.valLoss);
      // The step of the pass whose loss is shown (`data-step` runs ahead of it while training): with
      // it, each validation pass can be told apart and matched with the best step (the e2e test does).
      this.status.dataset.valStep = String(session.evaluation.step);
    }
  }

  /** Redraws the loss chart from the session. */
  renderChart(): void {
    const { session } = this.trainer;
    const backends = backendNames.filter((b) => session.train.has(b));
    // Each batch's loss is noisy: draw it faintly, and its exponential moving average on top.
    const datasets = backends.flatMap((b) => {
      const raw = session.train.get(b)!;
      return [
        lineDataset(`training loss on ${b} (smoothed)`, b, smooth(raw), { borderWidth: 2 }),
        lineDataset(`training loss on ${b}, each step`, b, raw, {
          borderWidth: 1,
          borderColor: `${colours[b]}40`,
        }),
      ];
    });
    datasets.push(
      lineDataset('validation loss', 'validation', session.validation, {
        pointRadius: 2.5,
        borderWidth: 2,
        borderDash: [4, 3],
      }),
    );
    // Where the model generalised best: once the validation loss turns up (overfitting), this stays behind.
    const best = bestValidation(session);
    if (best !== undefined && session.validation.length > 1) {
      datasets.push(
        lineDataset(`best validation: step ${best.x}`, 'best', [best], {
          pointStyle: 'star',
          pointRadius: 9,
          pointBorderWidth: 2,
          showLine: false,
        }),
      );
    }
    // The first steps' loss can be many times the rest (the forecaster starts far off): clip the
    // axis to the loss after them, so the part that moves stays readable; the axis title says so.
    const y = this.chart.options.scales!.y!;
    const skip = Math.max(5, session.step * 0.05);
    const later = datasets
      .filter((d) => !String(d.label).endsWith('each step'))
      .flatMap((d) => d.data.filter((p) => p.x > skip && p.y !== null).map((p) => p.y!));
    const all = datasets.flatMap((d) => d.data.filter((p) => p.y !== null).map((p) => p.y!));
    const top = Math.max(...later);
    const clip = later.length > 3 && Math.max(...all) > 1.5 * top;
    y.max = clip ? niceCeiling(top * 1.1) : undefined;
    (y as { title: { text: string } }).title.text = clip ? 'loss (first steps cut off)' : 'loss';
    this.chart.data.datasets = datasets;
    this.chart.update('none');
  }

  /** Redraws the log (newest first). */
  renderLog(): void {
    replaceChildren(
      this.log,
      ...this.trainer.log
        .slice(-8)
        .reverse()
        .map((entry) => h('li', { class: entry.level }, entry.text)),
    );
  }
}
