// How long this process's main thread (the event loop) has waited for a CPU while it was ready to run, from Linux's
// /proc/self/schedstat (run time ns, run-queue wait ns, time slices). On a machine shared with other work this is
// what stretches a synchronous handler's wall time: the bridge's latencies are wall time, its own work is not.

import { readFileSync } from 'node:fs';

/** Ms the main thread has spent runnable but not running so far; undefined where schedstat is not available. */
export function runQueueWaitMs(): number | undefined {
  try {
    const [, waitNs] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(waitNs) ? waitNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** Machine-wide busy and total CPU time so far (jiffies, /proc/stat's first line); undefined off Linux. */
export function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3] + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}
