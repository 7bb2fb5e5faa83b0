/**
 * The resident memory of the Chromium this process started: the sum of VmRSS over every process
 * descending from this one (browser, zygotes, renderer, GPU process), read from /proc. Pages shared
 * between them are counted once per process, so the sum overstates the total; its growth is what
 * the soak judges. Null where there is no /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { rssOf } from '../subject.js';

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null; // exited meanwhile
  }
}

/** Sum of VmRSS over the descendants of `root` (default: this process), bytes; null without /proc. */
export function descendantsRss(root = process.pid): number | null {
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
    total += rssOf(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}
