/**
 * What each task shows besides the loss: the classifier answers a typed name, the generator shows
 * samples at a chosen temperature, the forecaster draws its predictions against the truth and the
 * seasonal-naive baseline on held-out days.
 */
import type { Chart } from 'chart.js';
import type { Trainer } from '../app/trainer.js';
import type { TaskView } from '../engine/protocol.js';
import { colours, forecastChart } from './charts.js';
import { formatNumber, h, replaceChildren } from './dom.js';

/** A task's panel. */
export interface TaskPanel {
  readonly element: HTMLElement;
  /** Redraws after an evaluation (or a task switch: `view` undefined before the first). */
  render(view: TaskView | undefined): void;
}

/** Many-to-one: validation accuracy, and P(female) for a name the user types. */
export function classifyPanel(trainer: Trainer): TaskPanel {
  const accuracy = h('p', { id: 'classify-accuracy', class: 'metric' });
  const input = h('input', {
    id: 'name-input',
    type: 'text',
    value: 'andrea',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'name-error',
  });
  const error = h('span', { id: 'name-error', class: 'field-error', role: 'alert' });
  const answer = h('div', { id: 'name-answer', class: 'answer' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const ask = async () => {
    const name = input.value.trim().toLowerCase();
    error.textContent = '';
    if (name === '') return replaceChildren(answer, 'Type a first name.');
    if (!/^[a-z-]{1,20}$/.test(name)) {
      error.textContent = 'letters a–z and "-" only, at most 20';
      return replaceChildren(answer);
    }
    const engine = trainer.holderClient();
    if (engine === undefined || trainer.session.task !== 'classify') {
      return replaceChildren(answer, 'Start training to ask the model.');
    }
    const ticket = ++asked;
    try {
      const { female, lists } = await engine.request('classifyName', { name });
      if (ticket !== asked) return;
      const listed =
        lists.length === 2
          ? 'on both lists'
          : lists.length === 0
            ? 'on neither list (the model has never seen it)'
            : `on the ${lists[0] === 0 ? 'female' : 'male'} list`;
      const bar = h(
        'div',
        { class: 'bar' },
        h('div', { class: 'bar-female', style: `width:${(female * 100).toFixed(1)}%` }),
      );
      replaceChildren(
        answer,
        h('strong', {}, `P(female) = ${(female * 100).toFixed(1)} %`),
        ` · P(male) = ${((1 - female) * 100).toFixed(1)} % · "${name}" is ${listed}`,
        bar,
      );
    } catch (e) {
      replaceChildren(answer, `could not ask the model: ${(e as Error).message}`);
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void ask(), 120);
  });

  return {
    element: h(
      'div',
      { class: 'task-panel' },
      accuracy,
      h('div', { class: 'field' }, h('label', { for: 'name-input' }, 'a first name'), input, error),
      answer,
    ),
    render(view) {
      accuracy.textContent =
        view?.task === 'classify'
          ? `Validation accuracy: ${(view.accuracy * 100).toFixed(1)} % on held-out names that are on one list ` +
            `only (always answering the more common list: ${(view.majority * 100).toFixed(1)} %).`
          : 'Validation accuracy appears once the model is built.';
      void ask();
    },
  };
}

/** One-to-many: samples from the chosen list at a temperature. */
export function generatePanel(trainer: Trainer): TaskPanel {
  const list = h(
    'select',
    { id: 'sample-list' },
    h('option', { value: '0' }, 'female list'),
    h('option', { value: '1' }, 'male list'),
  );
  const temperature = h('input', {
    id: 'temperature',
    type: 'range',
    min: '0',
    max: '2',
    step: '0.05',
    value: '0.8',
  });
  const temperatureValue = h('output', { for: 'temperature' }, '0.80');
  const samples = h('ul', { id: 'samples', class: 'samples' });
  const metric = h('p', { id: 'generate-metric', class: 'metric' });

  const refresh = async () => {
    trainer.sampleOptions = {
      list: Number(list.value),
      temperature: Number(temperature.value),
      count: trainer.sampleOptions.count,
    };
    temperatureValue.textContent = Number(temperature.value).toFixed(2);
    const engine = trainer.holderClient();
    if (engine === undefined || trainer.session.task !== 'generate') return;
    try {
      const result = await engine.request('sample', trainer.sampleOptions);
      showSamples(result.samples);
    } catch (e) {
      replaceChildren(samples, h('li', {}, `could not sample: ${(e as Error).message}`));
    }
  };
  const showSamples = (names: readonly string[]) =>
    replaceChildren(samples, ...names.map((n) => h('li', {}, n === '' ? '(empty)' : n)));
  list.addEventListener('change', () => void refresh());
  temperature.addEventListener('input', () => void refresh());

  return {
    element: h(
      'div',
      { class: 'task-panel' },
      metric,
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'sample-list' }, 'generate from'),
        list,
        h('label', { for: 'temperature' }, 'temperature'),
        temperature,
        temperatureValue,
      ),
      samples,
    ),
    render(view) {
      if (view?.task !== 'generate') {
        metric.textContent = 'Samples appear once the model is built.';
        replaceChildren(samples);
        return;
      }
      metric.textContent = `Held-out names: ${formatNumber(view.bitsPerChar)} bits per character (uniform guessing: ${Math.log2(28).toFixed(2)}).`;
      showSamples(view.samples);
    },
  };
}

/** Many-to-many: forecasts against the truth and seasonal naive, and both errors. */
export function forecastPanel(): TaskPanel {
  const metric = h('p', { id: 'forecast-metric', class: 'metric' });
  const canvas = h('canvas', {
    id: 'forecast-chart',
    'aria-label': 'forecast against truth on held-out days',
  });
  let chart: Chart<'line', (number | null)[], string> | undefined;
  return {
    element: h('div', { class: 'task-panel' }, metric, h('div', { class: 'chart' }, canvas)),
    render(view) {
      chart ??= forecastChart(canvas);
      if (view?.task !== 'forecast') {
        metric.textContent = 'Forecasts appear once the model is built.';
        chart.data.labels = [];
        chart.data.datasets = [];
        chart.update('none');
        return;
      }
      const better = view.modelMae < view.naiveMae;
      metric.textContent =
        `Mean absolute error over ${view.windows} held-out weeks (years ${view.heldOutYears.join(', ')}): ` +
        `model ${view.modelMae.toFixed(0)} births/day, seasonal naive ${view.naiveMae.toFixed(0)}` +
        (better
          ? ` — the model is ${((1 - view.modelMae / view.naiveMae) * 100).toFixed(0)} % better.`
          : '.');
      chart.data.labels = view.days;
      const line = (label: string, key: string, data: number[], dash: number[] = []) => ({
        label,
        data,
        borderColor: colours[key],
        backgroundColor: colours[key],
        borderDash: dash,
      });
      chart.data.datasets = [
        line('actual births', 'actual', view.actual),
        line('model forecast', 'model', view.model),
        line('seasonal naive (same weekday last week)', 'naive', view.naive, [5, 4]),
      ];
      chart.update('none');
    },
  };
}
