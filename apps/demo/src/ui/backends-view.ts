/**
 * The backends panel: which backends this browser runs (and why not, for the others), which one is
 * active and which path (fused or composed) its last step took, in plain text on the page.
 */
import type { EngineStatus, Engines } from '../app/engines.js';
import type { Trainer } from '../app/trainer.js';
import { plainFailure } from '../engine/failure.js';
import type { BackendName } from '../engine/protocol.js';
import { backendNames } from '../engine/protocol.js';
import { h, replaceChildren } from './dom.js';

/** What the panel can ask for. */
export interface BackendActions {
  select(backend: BackendName): void;
  restart(backend: BackendName): void;
  loseContext(): void;
}

const descriptions: Record<BackendName, string> = {
  js: "Recur's own TypeScript autograd (WebAssembly SIMD kernels where the browser validates them)",
  wasm: "TensorFlow.js's WebAssembly engine",
  'tfjs-cpu': "TensorFlow.js's plain JavaScript engine",
  webgl: "TensorFlow.js's WebGL 2 engine, on the GPU",
};

function statusText(name: BackendName, status: EngineStatus): string {
  switch (status.state) {
    case 'detecting':
      return 'checking…';
    case 'ready':
      return status.onPage
        ? `${status.detail} — runs on the page: this browser cannot run WebGL in a worker, so its steps share the page's thread`
        : status.detail;
    case 'unavailable':
      return `not available: ${status.reason}`;
    case 'broken':
      return `stopped — ${plainFailure(name, status.failure).replace(`${name}: `, '')}`;
  }
}

/** One backend's row, built once and updated in place (so a click is never lost to a redraw). */
interface Row {
  readonly item: HTMLElement;
  readonly radio: HTMLInputElement;
  readonly status: HTMLElement;
}

/** The panel. */
export class BackendsView {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly rows: Record<BackendName, Row>;

  constructor(
    private readonly engines: Engines,
    private readonly trainer: Trainer,
    private readonly actions: BackendActions,
  ) {
    this.summary = h('p', { id: 'backend-summary', class: 'summary', 'aria-live': 'polite' });
    this.rows = Object.fromEntries(backendNames.map((name) => [name, this.row(name)])) as Record<
      BackendName,
      Row
    >;
    this.element = h(
      'section',
      { class: 'card', id: 'backends' },
      h('h2', {}, 'Backends'),
      this.summary,
      h('ul', { class: 'backend-list' }, ...backendNames.map((n) => this.rows[n].item)),
    );
    this.render();
  }

  /** Redraws from the engines' statuses and the trainer's active backend. */
  render(): void {
    this.renderSummary();
    for (const name of backendNames) {
      const status = this.engines.status(name);
      const active = this.trainer.active === name;
      const row = this.rows[name];
      row.radio.checked = active;
      row.radio.disabled = status.state !== 'ready';
      row.item.className = `backend ${status.state}${active ? ' active' : ''}`;
      row.item.dataset.state = status.state;
      const extra: HTMLElement[] = [];
      if (status.state === 'broken') {
        extra.push(
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              id: `restart-${name}`,
              onclick: () => this.actions.restart(name),
            },
            `Restart ${name}`,
          ),
        );
      }
      if (name === 'webgl' && status.state === 'ready') {
        extra.push(
          h(
            'button',
            { type: 'button', class: 'small', id: 'lose-context', onclick: () => this.actions.loseContext() },
            'Simulate a lost WebGL context',
          ),
        );
      }
      const text = statusText(name, status);
      if (row.status.dataset.text !== text || row.status.childElementCount !== extra.length) {
        row.status.dataset.text = text;
        replaceChildren(row.status, text, ...extra);
      }
    }
  }

  /** The one-line summary: found, missing, active backend and path. */
  renderSummary(): void {
    const ready = this.engines.ready();
    const detecting = backendNames.filter((n) => this.engines.status(n).state === 'detecting');
    const missing = backendNames.filter((n) => this.engines.status(n).state === 'unavailable');
    const broken = backendNames.filter((n) => this.engines.status(n).state === 'broken');
    const found = backendNames.filter((n) => ready.includes(n) || broken.includes(n));
    const path = this.trainer.session.path;
    const parts = [
      `Backends found in this browser: ${found.length > 0 ? found.join(', ') : 'none yet'}.`,
      missing.length > 0 ? `Not available: ${missing.join(', ')}.` : '',
      broken.length > 0 ? `Stopped after a failure: ${broken.join(', ')}.` : '',
      detecting.length > 0 ? `Still checking: ${detecting.join(', ')}.` : '',
      `Active backend: ${this.trainer.active}${path === undefined ? '' : ` (last step: ${path} path)`}.`,
    ];
    const text = parts.filter((p) => p !== '').join(' ');
    if (this.summary.textContent !== text) this.summary.textContent = text;
  }

  private row(name: BackendName): Row {
    const radio = h('input', {
      type: 'radio',
      name: 'backend',
      value: name,
      id: `backend-${name}`,
      onchange: () => this.actions.select(name),
    });
    const status = h('div', { class: 'backend-status' });
    const item = h(
      'li',
      { 'data-backend': name },
      radio,
      h('label', { for: `backend-${name}` }, h('strong', {}, name), ` — ${descriptions[name]}`),
      status,
    );
    return { item, radio, status };
  }
}
