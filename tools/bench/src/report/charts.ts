/**
 * SVG charts of a run, drawn with Vega-Lite and rendered headless by Vega.
 *
 * Why Vega: it is maintained (UW Interactive Data Lab, monthly releases), declarative (a chart is a
 * JSON spec, easy to review), and `view.toSVG()` renders in plain Node with no native dependency:
 * with the `none` renderer it estimates text widths instead of asking a canvas. Alternatives either
 * need a DOM (d3 + jsdom, Observable Plot) or native code (chartjs-node-canvas needs node-canvas).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { type BenchDocument, seriesOf } from '../results.js';

/** One rendered chart: file name (under `charts/`), a caption, and the SVG text. */
export interface Chart {
  file: string;
  title: string;
  svg: string;
}

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const cellSort = ['lstm', 'gru', 'rnn'];

/** Achieved GFLOP/s of every system, one chart per mode, one panel per workload. */
function gflopsSpec(doc: BenchDocument, mode: string): TopLevelSpec | undefined {
  const values = doc.results
    .filter((r) => r.mode === mode && r.status === 'ok' && r.gflops !== null)
    .map((r) => ({ series: seriesOf(r), workload: r.workload, cell: r.cell, gflops: r.gflops }));
  if (values.length === 0) return undefined;
  const floor = 10 ** Math.floor(Math.log10(Math.min(...values.map((v) => v.gflops!))));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Achieved GFLOP/s, ${mode === 'train' ? 'training step' : 'forward'} (higher is better; log scale)`,
    data: { values },
    facet: { column: { field: 'workload', type: 'nominal', title: null } },
    spec: {
      width: 180,
      height: 220,
      mark: 'bar',
      encoding: {
        x: { field: 'cell', type: 'nominal', sort: cellSort, title: null },
        xOffset: { field: 'series', type: 'nominal' },
        // Bars on a log scale need an explicit base (the default, zero, is off the scale).
        y: { field: 'gflops', type: 'quantitative', scale: { type: 'log' }, stack: null, title: 'GFLOP/s' },
        y2: { datum: floor },
        color: { field: 'series', type: 'nominal', title: 'system' },
        tooltip: [{ field: 'gflops', type: 'quantitative' }],
      },
    },
    resolve: { scale: { y: 'shared' } },
  };
}

/** Recur's speed-up over one kind of reference (above 1: Recur is faster), per workload/cell/mode. */
function ratioSpec(doc: BenchDocument, torch: boolean): TopLevelSpec | undefined {
  const values = doc.ratios
    .filter((r) => (r.reference === 'torch') === torch)
    .map((r) => ({
      series: `${seriesOf(r)} vs ${r.reference}`,
      item: `${r.workload} ${r.cell} ${r.mode === 'train' ? 'train' : 'fwd'}`,
      ratio: r.ratio,
    }));
  if (values.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Reference time / Recur time against ${torch ? 'PyTorch' : 'tfjs-layers on the same tfjs engine'} (above 1: Recur is faster; log scale)`,
    width: { step: 14 },
    height: 260,
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'item', type: 'nominal', sort: null, title: null, axis: { labelAngle: -60 } },
          xOffset: { field: 'series', type: 'nominal' },
          // Bars grow from 1 (as fast as the reference): up where Recur is faster, down where slower.
          y: { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, stack: null, title: 'speed-up' },
          y2: { datum: 1 },
          color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 320 } },
        },
      },
      {
        data: { values: [{ one: 1 }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: 'black' },
        encoding: { y: { field: 'one', type: 'quantitative' } },
      },
    ],
  };
}

/** Every chart the report shows (charts with no data are left out). */
export async function renderCharts(doc: BenchDocument): Promise<Chart[]> {
  const specs: { file: string; title: string; spec: TopLevelSpec | undefined }[] = [
    { file: 'ratios-torch.svg', title: 'Speed-up over PyTorch', spec: ratioSpec(doc, true) },
    { file: 'ratios-tfjs-layers.svg', title: 'Speed-up over tfjs-layers', spec: ratioSpec(doc, false) },
    { file: 'gflops-forward.svg', title: 'GFLOP/s, forward', spec: gflopsSpec(doc, 'forward') },
    { file: 'gflops-train.svg', title: 'GFLOP/s, training step', spec: gflopsSpec(doc, 'train') },
  ];
  const charts: Chart[] = [];
  for (const s of specs) {
    if (s.spec !== undefined) charts.push({ file: s.file, title: s.title, svg: await toSvg(s.spec) });
  }
  return charts;
}
