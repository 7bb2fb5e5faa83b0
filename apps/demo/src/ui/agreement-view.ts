/**
 * Gradient agreement: one batch of the current task from identical weights on every available
 * backend, fused and composed; each parameter's gradient against backend-js in float64, with the
 * conformance suite's float32 tolerance (`|g − g64| ≤ atol + rtol·|g64|`) as the verdict.
 */
import { compareValues, defaultTolerances } from '@recur/conformance/portable';
import type { Engines } from '../app/engines.js';
import type { Trainer } from '../app/trainer.js';
import type { BackendName, ModelConfig, Requests } from '../engine/protocol.js';
import { formatNumber, h, replaceChildren } from './dom.js';

/** The batch every backend differentiates (any fixed seed would do). */
const BATCH_SEED = 20240611;

/** What every backend is asked, besides its dtype and path. */
type GradientArgs = Omit<Requests['gradients']['args'], 'dtype' | 'path'>;

/** One backend × path column. */
interface Column {
  readonly label: string;
  readonly results: ({ maxAbs: number; maxRel: number; pass: boolean } | undefined)[];
  readonly error?: string;
}

/** The panel. */
export class AgreementView {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly summary: HTMLElement;
  private readonly table: HTMLTableElement;

  constructor(
    private readonly engines: Engines,
    private readonly trainer: Trainer,
    private readonly config: () => ModelConfig | undefined,
  ) {
    const { atol, rtol } = defaultTolerances.float32;
    this.button = h(
      'button',
      { type: 'button', id: 'run-agreement', onclick: () => void this.run() },
      'Compare gradients',
    );
    this.summary = h('p', { id: 'agreement-summary', class: 'summary', 'aria-live': 'polite' });
    this.table = h('table', { id: 'agreement-table', class: 'numbers' });
    this.element = h(
      'section',
      { class: 'card', id: 'agreement' },
      h('h2', {}, 'Gradient agreement'),
      h(
        'p',
        {},
        'One batch of the current task, from identical weights (the current model’s, or the seed’s before ' +
          'training), on every backend found, fused and composed. For each parameter: the worst absolute and ' +
          `relative difference of d loss / d parameter from backend-js computing in float64. ✓ means every ` +
          `element is within the conformance suite's float32 tolerance, |g − g₆₄| ≤ ${atol} + ${rtol}·|g₆₄|.`,
      ),
      this.button,
      this.summary,
      h('div', { class: 'table-scroll' }, this.table),
    );
  }

  /** Runs the comparison (training pauses meanwhile). */
  async run(): Promise<void> {
    const config = this.trainer.session.config ?? this.config();
    if (config === undefined) {
      this.summary.textContent = 'Fix the highlighted settings first.';
      return;
    }
    if (this.engines.status('js').state !== 'ready') {
      this.summary.textContent = 'The float64 reference needs the js backend, which is not available.';
      return;
    }
    this.button.disabled = true;
    this.element.dataset.state = 'running';
    try {
      await this.trainer.withTrainingPaused(() => this.compare(config));
    } finally {
      this.button.disabled = false;
      this.element.dataset.state = 'done';
    }
  }

  private async compare(config: ModelConfig): Promise<void> {
    const task = this.trainer.task;
    const { state } = this.trainer.currentWeights();
    const base: GradientArgs = { task, config, state, batchSeed: BATCH_SEED };
    this.summary.textContent = 'Computing the float64 reference on js…';
    const reference = await this.engines
      .client('js')
      .request('gradients', { ...base, dtype: 'float64', path: 'fused' });
    const columns: Column[] = [];
    const backends = this.engines.ready();
    for (const backend of backends) {
      for (const path of ['fused', 'composed'] as const) {
        const label = `${backend} ${path}`;
        this.summary.textContent = `Computing on ${label}…`;
        columns.push(await this.column(backend, path, label, base, reference.grads));
        this.render(reference.names, columns);
      }
    }
    const results = columns.flatMap((c) => c.results.filter((r) => r !== undefined));
    const failed = columns.filter((c) => c.error !== undefined || c.results.some((r) => r?.pass === false));
    const worstAbs = Math.max(...results.map((r) => r.maxAbs));
    const worstRel = Math.max(...results.map((r) => r.maxRel));
    const allPass = failed.length === 0 && results.length > 0;
    this.table.dataset.pass = String(allPass);
    this.table.dataset.worstAbs = String(worstAbs);
    this.table.dataset.worstRel = String(worstRel);
    this.summary.textContent = allPass
      ? `All ${reference.names.length} gradients agree with float64 within tolerance on ${backends.join(', ')} ` +
        `(fused and composed): worst absolute difference ${formatNumber(worstAbs, 2)}, worst relative ${formatNumber(worstRel, 2)}.`
      : `Outside tolerance or failed: ${failed.map((c) => c.label).join(', ')}.`;
  }

  private async column(
    backend: BackendName,
    path: 'fused' | 'composed',
    label: string,
    base: GradientArgs,
    reference: Float64Array[],
  ): Promise<Column> {
    try {
      const r = await this.engines.client(backend).request('gradients', { ...base, dtype: 'float32', path });
      return {
        label: r.path === path ? label : `${label} (ran ${r.path})`,
        results: r.grads.map((g, i) => compareValues(g, reference[i]!, defaultTolerances.float32)),
      };
    } catch (error) {
      return { label, results: [], error: (error as Error).message };
    }
  }

  private render(names: readonly string[], columns: readonly Column[]): void {
    const head = h('tr', {}, h('th', {}, 'parameter'), ...columns.map((c) => h('th', {}, c.label)));
    const rows = names.map((name, i) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, name),
        ...columns.map((c) => {
          if (c.error !== undefined)
            return h('td', { class: 'fail', 'data-pass': 'false' }, i === 0 ? c.error : '');
          const r = c.results[i]!;
          return h(
            'td',
            {
              class: r.pass ? 'pass' : 'fail',
              'data-pass': String(r.pass),
              title: 'worst absolute · worst relative',
            },
            `${r.pass ? '✓' : '✗'} ${formatNumber(r.maxAbs, 2)} · ${formatNumber(r.maxRel, 2)}`,
          );
        }),
      ),
    );
    replaceChildren(this.table, h('thead', {}, head), h('tbody', {}, ...rows));
  }
}
