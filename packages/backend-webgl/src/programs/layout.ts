/** Programs that only move data: stacking step results, joining state columns, unpacking. */
import type { RecurProgram } from './program.js';

/**
 * Stacks `[rows_i, width]` matrices along rows. tfjs's concat goes through packed textures (a pack
 * dispatch per unpacked input); this reads each input where it is, in one dispatch for up to
 * `WEBGL_MAX_TEXTURES_IN_SHADER` inputs.
 */
export function stackRows(rows: readonly number[], width: number): RecurProgram {
  const names = rows.map((_, i) => `s${i}`);
  let offset = 0;
  const branches = rows.map((r, i) => {
    const line = `if (r < ${offset + r}) { setOutput(getS${i}(r - ${offset}, rc.y)); return; }`;
    offset += r;
    return line;
  });
  return {
    name: 'RecurStackRows',
    variableNames: names,
    outputShape: [offset, width],
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        int r = rc.x;
        ${branches.join('\n        ')}
      }
    `,
  };
}

/** `[rows, w0] ‖ [rows, w1]` → `[rows, w0 + w1]` (initial states and carries). */
export function joinColumns(rows: number, w0: number, w1: number): RecurProgram {
  return {
    name: 'RecurJoinColumns',
    variableNames: ['left', 'right'],
    outputShape: [rows, w0 + w1],
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        setOutput(rc.y < ${w0} ? getLeft(rc.x, rc.y) : getRight(rc.x, rc.y - ${w0}));
      }
    `,
  };
}

/** An unpacked copy of a (packed) `[rows, width]` matrix, made once so per-step programs never unpack. */
export function copy(rows: number, width: number): RecurProgram {
  return {
    name: 'RecurCopy',
    variableNames: ['x'],
    outputShape: [rows, width],
    userCode: `
      void main() {
        ivec2 rc = getOutputCoords();
        setOutput(getX(rc.x, rc.y));
      }
    `,
  };
}
