/**
 * What an accepted value must satisfy, checked independently of the reader that produced it: every
 * `{shape, data}` tensor in it has non-negative integer dims, finite data, and exactly as many values
 * as its shape says. The walk is iterative with a node budget, so a reader returning something deep
 * or huge fails the check instead of crashing the harness.
 */

const nodeBudget = 2_000_000;

function tensorProblem(path: string, t: { shape: unknown; data: unknown }): string | undefined {
  if (!Array.isArray(t.shape) || !Array.isArray(t.data)) return `${path}: shape and data must be arrays`;
  let size = 1;
  for (const d of t.shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return `${path}: bad dim ${String(d)}`;
    size *= d;
  }
  if (size !== t.data.length) return `${path}: ${t.data.length} values for ${size}`;
  for (const v of t.data)
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${path}: non-finite value`;
  return undefined;
}

/** Returns the first tensor problem found in `value` (by path), or undefined. */
export function tensorInvariants(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  let visited = 0;
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (++visited > nodeBudget) return `more than ${nodeBudget} nodes`;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      // Arrays of numbers are tensor data or lengths: nothing below them to walk.
      if (node.every((x) => typeof x !== 'object' || x === null)) continue;
      for (let i = 0; i < node.length; i++) stack.push([node[i], `${path}[${i}]`]);
      continue;
    }
    const keys = Object.keys(node);
    if (keys.length === 2 && keys.includes('shape') && keys.includes('data')) {
      const problem = tensorProblem(path, node as { shape: unknown; data: unknown });
      if (problem !== undefined) return problem;
      continue;
    }
    for (const k of keys) stack.push([(node as Record<string, unknown>)[k], `${path}.${k}`]);
  }
  return undefined;
}
