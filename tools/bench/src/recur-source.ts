/**
 * Which build of the Recur packages this process runs: `dist` (the compiled packages, as users import
 * them) or `source (tsx)` (TypeScript transpiled on load, as under the root tsconfig's `paths`).
 *
 * It matters for small workloads: tsx transpiles with esbuild's keepNames, which wraps every function
 * expression in a `__name` call, run each time a closure is created; a W5 streaming call took ~18 µs
 * that way against ~11 µs from dist. `pnpm bench` builds the packages and resolves them to dist.
 */

/** `dist`, `source (tsx)`, or `unknown` where the module resolver cannot say. */
export function recurSource(): 'dist' | 'source (tsx)' | 'unknown' {
  try {
    const url = import.meta.resolve('@recur/core');
    if (/\/dist\//.test(url)) return 'dist';
    if (/\/src\//.test(url)) return 'source (tsx)';
  } catch {
    // Resolvers without import.meta.resolve (some test runners) cannot tell.
  }
  return 'unknown';
}
