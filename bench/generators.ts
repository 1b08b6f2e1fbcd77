// The load generator as K processes (--generators K): one process of the emulator's media engine tops out near one
// core (about 45,000 frames/s on the bench machine, its socket writes being most of it), and a saturated generator
// sends late, so the pacing and latency figures measure its queue instead of the target. K processes split the calls
// between them (process g streams calls g·N/K … (g+1)·N/K − 1 under their global numbers, so the echo calls and
// every ID stay what one process would use); the idle sockets all come from the first.
//
// Merging: counts and CPU add up. A percentile cannot be merged from percentiles, but the largest of the K p99s
// bounds the merged p99 from above (each process has at most 1 % of its samples above its own p99, so at most 1 % of
// all samples lie above the largest), and the same holds for p50: the figures are reported as those bounds, exact
// when K = 1.
import type { LatencyStats } from './latency-histogram.js';
import { spawnBenchChild, type BenchChild } from './child-process.js';

/** What the generators measured over the window: pacing and talk-back (upper bounds when K > 1). */
export interface GeneratorWindow {
  pacing: LatencyStats;
  talkBack: LatencyStats;
  echoReceived: number;
}

/** What the generators sent, once the calls stopped. */
export interface GeneratorTotals {
  /** Calls streamed, over all the processes. */
  calls: number;
  framesSent: number;
  framesLost: number;
  outboundViolations: number;
  failures: string[];
}

/** CPU readings of every generator process, taken together. */
export type GeneratorCpu = Array<{ cpuUs: number; atMs: number }>;

/** K load-generator processes driven as one. */
export interface GeneratorGroup {
  readonly pids: number[];
  idle(url: string, calls: number, sampleRate: number): Promise<void>;
  closeIdle(): Promise<void>;
  /** Starts the calls, split between the processes; resolves with the slowest process's connect time. */
  start(args: { url: string; calls: number; participants: number; sampleRate: number; echoCalls: number }): Promise<{ connectMs: number }>;
  beginWindow(): Promise<void>;
  cpu(): Promise<GeneratorCpu>;
  endWindow(): Promise<GeneratorWindow>;
  stop(): Promise<GeneratorTotals>;
  /** Ends the processes. */
  exit(): Promise<void>;
}

/** Starts `count` load-generator processes with `nodeFlags` (e.g. --cpu-prof). */
export function spawnGenerators(count: number, nodeFlags: string[]): GeneratorGroup {
  const children: BenchChild[] = Array.from({ length: count }, (_, g) =>
    spawnBenchChild(count === 1 ? 'load generator' : `load generator ${g + 1}`, './load-generator.ts', nodeFlags),
  );
  const all = <T>(command: string, argsOf: (g: number) => Record<string, unknown> = () => ({})): Promise<T[]> =>
    Promise.all(children.map((child, g) => child.request<T>(command, argsOf(g))));
  return {
    pids: children.map((child) => child.process.pid ?? 0),
    async idle(url, calls, sampleRate) {
      await children[0].request('idle', { url, calls, sampleRate });
    },
    async closeIdle() {
      await children[0].request('closeIdle');
    },
    async start(args) {
      const started = await all<{ connectMs: number }>('start', (g) => {
        const firstCall = Math.floor((g * args.calls) / count);
        const endCall = Math.floor(((g + 1) * args.calls) / count);
        return { ...args, firstCall, calls: endCall - firstCall };
      });
      return { connectMs: Math.max(...started.map((s) => s.connectMs)) };
    },
    async beginWindow() {
      await all('beginWindow');
    },
    cpu: () => all<{ cpuUs: number; atMs: number }>('snapshot'),
    async endWindow() {
      const windows = await all<GeneratorWindow>('endWindow');
      return {
        pacing: upperBound(windows.map((w) => w.pacing)),
        talkBack: upperBound(windows.map((w) => w.talkBack)),
        echoReceived: sum(windows.map((w) => w.echoReceived)),
      };
    },
    async stop() {
      const totals = await all<GeneratorTotals>('stop');
      return {
        calls: sum(totals.map((t) => t.calls)),
        framesSent: sum(totals.map((t) => t.framesSent)),
        framesLost: sum(totals.map((t) => t.framesLost)),
        outboundViolations: sum(totals.map((t) => t.outboundViolations)),
        failures: totals.flatMap((t) => t.failures),
      };
    },
    async exit() {
      await Promise.all(children.map((child) => child.stop()));
    },
  };
}

/** CPU of all the generators between two readings, in % of one core (each process over its own clock). */
export function generatorCpuPercent(before: GeneratorCpu, after: GeneratorCpu): number {
  return sum(after.map((end, g) => ((end.cpuUs - before[g].cpuUs) / 1000 / (end.atMs - before[g].atMs)) * 100));
}

/** The processes' histograms merged as far as percentiles allow: counts added, each percentile's largest value. */
function upperBound(parts: LatencyStats[]): LatencyStats {
  const counted = parts.filter((part) => part.count > 0);
  if (counted.length === 0) return { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };
  return {
    count: sum(counted.map((part) => part.count)),
    p50Ms: Math.max(...counted.map((part) => part.p50Ms)),
    p99Ms: Math.max(...counted.map((part) => part.p99Ms)),
    maxMs: Math.max(...counted.map((part) => part.maxMs)),
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
