/**
 * The resident memory of the Chromium this process started, where the soak's work lives: the sum of
 * VmRSS over its renderer processes (the page's JavaScript and tfjs's CPU-side data) and its GPU
 * process (SwiftShader's textures), read from /proc. The browser, zygote and utility processes are
 * left out: Chromium starts and stops utilities on its own (an OnDeviceModelService of 45 MB appears
 * about three minutes into a run), which would shift the sum. Pages shared between processes count
 * once per process, so the level overstates the total; its growth is what the soak judges. Null
 * where there is no /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { rssOf } from '../subject.js';

/** The Chromium process types that are counted. */
const COUNTED = /--type=(renderer|gpu-process)(\s|\0|$)/;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // exited meanwhile
  }
}

function parentOf(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last ')'.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * Sum of VmRSS over the renderer and GPU processes descending from `root` (default: this process),
 * bytes; null without /proc.
 */
export function chromiumRss(root = process.pid): number | null {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return null;
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  let total = 0;
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    // Chromium rewrites its command line, so the arguments may be separated by spaces, not NULs.
    if (COUNTED.test(read(`/proc/${pid}/cmdline`) ?? '')) total += rssOf(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}
