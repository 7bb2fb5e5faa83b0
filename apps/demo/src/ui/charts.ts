/**
 * Charts, with Chart.js. Why Chart.js: one well-kept library (MIT, releases every few months, used
 * very widely) covers every chart here — streaming lines with decimation, a log-scale axis, grouped
 * bars on categories, legends and tooltips — and it registers only the pieces imported below.
 * uPlot is smaller and faster for huge time series, but its bar charts and category axes need
 * hand-written plugins, and a few thousand points at a few updates a second is well within Chart.js.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import { toFont } from 'chart.js/helpers';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
);
/**
 * After each draw, measures every axis title against the length of its axis and marks the canvas
 * `data-clipped-titles` with the titles that do not fit (empty when all fit): text drawn on a canvas
 * has no element box, so this is how the page (and its end-to-end test) knows a title is cut.
 */
const titleFit = {
  id: 'recurTitleFit',
  afterDraw(chart: Chart) {
    const clipped: string[] = [];
    for (const scale of Object.values(chart.scales)) {
      const title = (
        scale.options as { title?: { display?: boolean; text?: string | string[]; font?: unknown } }
      ).title;
      if (!title?.display || !title.text) continue;
      const text = Array.isArray(title.text) ? title.text.join(' ') : title.text;
      const font = toFont(title.font as Parameters<typeof toFont>[0]);
      chart.ctx.save();
      chart.ctx.font = font.string;
      const width = chart.ctx.measureText(text).width;
      chart.ctx.restore();
      // The title is centred on its axis: it fits while both halves stay on the canvas.
      const mid = scale.isHorizontal() ? (scale.left + scale.right) / 2 : (scale.top + scale.bottom) / 2;
      const room = 2 * Math.min(mid, (scale.isHorizontal() ? chart.width : chart.height) - mid);
      if (width > room) clipped.push(text);
    }
    const value = clipped.join(' | ');
    if (chart.canvas.dataset.clippedTitles !== value) chart.canvas.dataset.clippedTitles = value;
  },
};

Chart.register(titleFit);
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.font.size = 12;
// Charts change several times a second: animating each change would only add work and lag.
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
// Legend entries drawn as flat boxes, i.e. short strokes with the line's own dash and width: a
// filled box says nothing about a dashed or a thin line.
Chart.defaults.plugins.legend.labels.boxWidth = 30;
Chart.defaults.plugins.legend.labels.boxHeight = 0;

/** Tick labels of a log axis: powers of ten only (1e-3 rather than 0.001000); the rest unlabelled. */
const logTicks = {
  callback: (value: number | string) => {
    const v = Number(value);
    return Number.isInteger(Math.round(Math.log10(v) * 1e6) / 1e6) ? v.toExponential(0) : '';
  },
};

/** A colour per backend, and others for the references, reused by every chart. */
export const colours: Record<string, string> = {
  js: '#1f77b4',
  wasm: '#ff7f0e',
  'tfjs-cpu': '#2ca02c',
  webgl: '#d62728',
  validation: '#111111',
  best: '#9a6700',
  rnn: '#d62728',
  lstm: '#1f77b4',
  gru: '#2ca02c',
  actual: '#111111',
  model: '#1f77b4',
  naive: '#ff7f0e',
};

/** A point of a line. */
export type Point = { x: number; y: number | null };

/** Training loss per backend (one colour per backend, so a switch shows) and validation loss. */
export function lossChart(canvas: HTMLCanvasElement): Chart<'line', Point[]> {
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      parsing: false,
      normalized: true,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'training step' }, min: 0 },
        y: { type: 'linear', title: { display: true, text: 'loss' } },
      },
      plugins: {
        decimation: { enabled: true, algorithm: 'lttb', samples: 400 },
        // The faint per-step lines share their backend's colour with the smoothed line: one legend entry.
        legend: {
          position: 'bottom',
          labels: { filter: (item) => !item.text.endsWith('each step') },
        },
      },
      elements: { point: { radius: 0 }, line: { borderWidth: 1.5 } },
    },
  });
}

/** A line dataset with the colour of `key`. */
export function lineDataset(
  label: string,
  key: string,
  data: Point[],
  extra: Partial<ChartDataset<'line', Point[]>> = {},
): ChartDataset<'line', Point[]> {
  return {
    label,
    data,
    borderColor: colours[key] ?? '#777',
    backgroundColor: colours[key] ?? '#777',
    ...extra,
  };
}

/** Births per day on held-out days: truth, the model's forecast and seasonal naive. */
export function forecastChart(canvas: HTMLCanvasElement): Chart<'line', (number | null)[], string> {
  return new Chart(canvas, {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      scales: {
        x: { type: 'category', ticks: { maxTicksLimit: 8 } },
        y: { type: 'linear', title: { display: true, text: 'births per day' } },
      },
      plugins: { legend: { position: 'bottom' } },
      elements: { point: { radius: 1.5 }, line: { borderWidth: 1.5 } },
    },
  });
}

/** ‖d loss / d x_t‖ ratios against distance from the end, log scale. */
export function vanishingChart(canvas: HTMLCanvasElement): Chart<'line', Point[]> {
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      parsing: false,
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: 'distance from the last step' },
          min: 0,
        },
        y: {
          type: 'logarithmic',
          ticks: logTicks,
          title: { display: true, text: 'gradient ratio (log)' },
        },
      },
      plugins: { legend: { position: 'bottom' } },
      elements: { point: { radius: 0 }, line: { borderWidth: 2 } },
    },
  });
}

/** Median milliseconds per training step, grouped by backend. */
export function speedChart(canvas: HTMLCanvasElement): Chart<'bar', (number | null)[], string> {
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      scales: {
        x: { type: 'category' },
        // Log scale: the backends and paths differ by up to two orders of magnitude.
        y: {
          type: 'logarithmic',
          ticks: { callback: (value: number | string) => String(Number(value)) },
          title: { display: true, text: 'ms per step (log scale)' },
        },
      },
      plugins: { legend: { position: 'bottom', labels: { boxHeight: 12 } } },
    },
  });
}
