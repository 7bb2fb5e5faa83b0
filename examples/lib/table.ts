/** Plain tables (no colours, so they read the same in a terminal and in a log). */
import Table from 'cli-table3';

/** Renders `rows` under `head` as a boxed table. */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}
