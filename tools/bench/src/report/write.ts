/** `--report DIR`: writes `DIR/report.md` and its charts under `DIR/charts/`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchDocument } from '../results.js';
import { renderCharts } from './charts.js';
import { renderMarkdown } from './markdown.js';

/** Renders the charts and the markdown of `doc` into `dir` (created if needed); returns the markdown's path. */
export async function writeReport(dir: string, doc: BenchDocument): Promise<string> {
  const charts = await renderCharts(doc);
  mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const c of charts) writeFileSync(join(dir, 'charts', c.file), c.svg);
  const file = join(dir, 'report.md');
  writeFileSync(file, renderMarkdown(doc, charts));
  return file;
}
