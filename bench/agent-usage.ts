// What the agent bench watches besides the bridge: per process CPU, event-loop busy share, time spent waiting for a
// CPU (run queue), event-loop delay; GC pauses of the server process; the machine's CPU and load. On a shared 2-core
// machine these say whether a latency figure is the bridge's work or the wait for a core.
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { machineCpu, runQueueWaitMs } from './sched-stat.js';

/** A process's counters at one moment (what agent-callers.ts `usage` answers, and the same for this process). */
export interface ProcessUsage {
  cpuUs: number;
  atMs: number;
  loopActiveMs: number;
  waitMs?: number;
  loopDelayP99Ms?: number;
  loopDelayMaxMs?: number;
}

/** Two readings of one process → its shares of the time between them, in %. */
export interface ProcessShare {
  cpuPercent: number;
  loopBusyPercent: number;
  /** Ready to run, no CPU (Linux schedstat); undefined elsewhere. */
  waitingForCpuPercent: number | undefined;
  loopDelayP99Ms: number | undefined;
  loopDelayMaxMs: number | undefined;
}

export function share(a: ProcessUsage, b: ProcessUsage): ProcessShare {
  const wall = b.atMs - a.atMs;
  return {
    cpuPercent: ((b.cpuUs - a.cpuUs) / 1000 / wall) * 100,
    loopBusyPercent: ((b.loopActiveMs - a.loopActiveMs) / wall) * 100,
    waitingForCpuPercent: a.waitMs === undefined || b.waitMs === undefined ? undefined : ((b.waitMs - a.waitMs) / wall) * 100,
    loopDelayP99Ms: b.loopDelayP99Ms,
    loopDelayMaxMs: b.loopDelayMaxMs,
  };
}

/** This process's usage now (the loop delay is filled in by watchServer). */
export function ownUsage(): ProcessUsage {
  const cpu = process.cpuUsage();
  return { cpuUs: cpu.user + cpu.system, atMs: performance.now(), loopActiveMs: performance.eventLoopUtilization().active, waitMs: runQueueWaitMs() };
}

export interface GcPause {
  start: number;
  ms: number;
  /** perf_hooks' gc kind: 1 scavenge (young generation), 2 mark-compact, 4 incremental marking, 8 weak callbacks. */
  kind: number;
}

/** Watches this process from now: event-loop delay and GC pauses; `stop()` returns them with the machine's share. */
export function watchServer(): { stop(): { loopDelayMs: { p50: number; p99: number; max: number }; pauses: GcPause[]; machineCpuPercent: number | undefined; loadAverage: [number, number] } } {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const pauses: GcPause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ start: e.startTime, ms: e.duration, kind: (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0 });
  });
  observer.observe({ entryTypes: ['gc'] });
  const machine0 = machineCpu();
  const load0 = loadavg()[0];
  return {
    stop() {
      loop.disable();
      observer.disconnect();
      const machine1 = machineCpu();
      return {
        loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        pauses,
        machineCpuPercent: machine0 === undefined || machine1 === undefined ? undefined : ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100 * availableParallelism(),
        loadAverage: [load0, loadavg()[0]],
      };
    },
  };
}
