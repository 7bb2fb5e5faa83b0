/**
 * Line charts as SVG files, through Vega-Lite and Vega's headless renderer (pure JavaScript: no
 * canvas, no browser). Loaded lazily: only the examples that draw pay for the import.
 */
import { writeFileSync } from 'node:fs';

/** One point of a series. */
export interface Point {
  readonly x: number;
  readonly y: number;
  readonly series: string;
  /** With {@link LineChart.groups}: the colour group (e.g. the cell), one colour per group. */
  readonly group?: string;
  /** With {@link LineChart.variants}: the dash variant within a group (e.g. at init, trained). */
  readonly variant?: string;
}

/** What to draw. */
export interface LineChart {
  readonly title: string;
  /** A line under the title (e.g. what the chart cannot show). */
  readonly subtitle?: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly points: readonly Point[];
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** Colour by `point.group` instead of by series: group → CSS colour, in legend order. */
  readonly groups?: Readonly<Record<string, string>>;
  /** Dash by `point.variant`: variant → dash pattern (`[]` solid), in legend order. */
  readonly variants?: Readonly<Record<string, readonly number[]>>;
}

/** Renders `chart` to an SVG string. */
export async function lineChartSvg(chart: LineChart): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chart.subtitle === undefined ? chart.title : { text: chart.title, subtitle: chart.subtitle },
    width: 520,
    height: 320,
    data: { values: chart.points.filter((p) => Number.isFinite(p.y) && (!chart.logY || p.y > 0)) },
    mark: chart.groups === undefined ? { type: 'line', point: true } : { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: chart.xTitle, scale: chart.logX ? { type: 'log' } : {} },
      y: {
        field: 'y',
        type: 'quantitative',
        title: chart.yTitle,
        scale: chart.logY ? { type: 'log' } : {},
        // One notation on a log axis (Vega mixes 0.00001 and 1e-10 otherwise).
        axis: chart.logY ? { format: '.0e' } : {},
      },
      ...(chart.groups === undefined
        ? { color: { field: 'series', type: 'nominal', title: null } }
        : {
            color: {
              field: 'group',
              type: 'nominal',
              title: null,
              scale: { domain: Object.keys(chart.groups), range: Object.values(chart.groups) },
            },
            detail: { field: 'series', type: 'nominal' },
          }),
      ...(chart.variants === undefined
        ? {}
        : {
            strokeDash: {
              field: 'variant',
              type: 'nominal',
              title: null,
              scale: { domain: Object.keys(chart.variants), range: Object.values(chart.variants) },
            },
          }),
    },
  };
  const compiled = vl.compile(spec as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Renders `chart` and writes it to `file`. */
export async function writeLineChart(file: string, chart: LineChart): Promise<void> {
  writeFileSync(file, await lineChartSvg(chart));
}
