import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux this runs on, asked once. */
export function clockTicks(): number {
  try {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    const n = Number(out);
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch (err) {
    if (process.env.BENCH_DEBUG) console.error('getconf CLK_TCK failed, assuming 100:', err);
    return 100;
  }
}

/** utime + stime of one process in ticks, or 0 when it has gone. */
function processTicks(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return 0;
    throw err;
  }
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(rest[11]) + Number(rest[12]);
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const task of tasks) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const part of text.split(' ')) if (part.trim()) out.push(Number(part));
  }
  return out;
}

/**
 * CPU seconds used so far by a process and its live descendants (all threads: a runtime that
 * runs user code in worker threads, isolates or helper processes is charged for them).
 */
export function cpuSeconds(pid: number, ticksPerSecond: number): number {
  let ticks = 0;
  const seen = new Set<number>();
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.pop() as number;
    if (seen.has(p)) continue;
    seen.add(p);
    ticks += processTicks(p);
    queue.push(...childrenOf(p));
  }
  return ticks / ticksPerSecond;
}

/** Peak resident set size (VmHWM) of a process in bytes, or null when unreadable. */
export function peakRss(pid: number): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
    return m ? Number(m[1]) * 1024 : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
