/** The `result:` line every example ends with, and its exit code. */

/** Comparison of a metric against its target. */
export type Comparison = '<=' | '<' | '>=' | '>';

/** One checked number. */
export interface Check {
  /** Name without spaces, e.g. `test_rmse_ratio`. */
  readonly metric: string;
  readonly value: number;
  readonly op: Comparison;
  readonly target: number;
}

/** Whether `check` holds (NaN never does). */
export function passes(check: Check): boolean {
  const { value, op, target } = check;
  if (Number.isNaN(value)) return false;
  return op === '<='
    ? value <= target
    : op === '<'
      ? value < target
      : op === '>='
        ? value >= target
        : value > target;
}

/** A number in at most 4 significant digits, in exponent form when very small or large. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/**
 * `result: <metric>=<value> target <op> <value> PASS|FAIL`. Examples with more than one condition
 * list further checks after the first, separated by `, `; PASS needs every check to hold.
 */
export function resultLine(checks: readonly Check[]): { line: string; pass: boolean } {
  const pass = checks.length > 0 && checks.every(passes);
  const parts = checks.map(
    (c) => `${c.metric}=${formatNumber(c.value)} target ${c.op} ${formatNumber(c.target)}`,
  );
  return { line: `result: ${parts.join(', ')} ${pass ? 'PASS' : 'FAIL'}`, pass };
}

/** Parses a `result:` line back (for `pnpm examples` and the tests); undefined if malformed. */
export function parseResultLine(line: string): { checks: Check[]; pass: boolean } | undefined {
  const m = /^result: (.+) (PASS|FAIL)$/.exec(line.trim());
  if (!m) return undefined;
  const checks: Check[] = [];
  for (const part of m[1]!.split(', ')) {
    const c = /^([\w.@-]+)=(\S+) target (<=|<|>=|>) (\S+)$/.exec(part);
    if (!c) return undefined;
    const value = Number(c[2]);
    const target = Number(c[4]);
    if (Number.isNaN(target) || (Number.isNaN(value) && c[2] !== 'NaN')) return undefined;
    checks.push({ metric: c[1]!, value, op: c[3] as Comparison, target });
  }
  return { checks, pass: m[2] === 'PASS' };
}
