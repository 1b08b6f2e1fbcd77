// The bench's processes talk over Node's IPC channel: the orchestrator (run.ts) sends `{ id, command, args }`, the
// child answers `{ id, ok, value | error }`. One request at a time per command is enough; ids keep replies apart.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A command a child understands: takes JSON-able arguments, resolves with a JSON-able value. */
export type Handler = (args: Record<string, unknown>) => unknown;

interface Request {
  id: number;
  command: string;
  args: Record<string, unknown>;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** A child process of the bench, driven by requests. */
export interface BenchChild {
  readonly name: string;
  readonly process: ChildProcess;
  request<T>(command: string, args?: Record<string, unknown>): Promise<T>;
  /** Asks the child to exit and waits for it (kills it after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `script` (a bench/*.ts file) with tsx in a new Node process; `nodeFlags` go before it (e.g. --cpu-prof). */
export function spawnBenchChild(name: string, script: string, nodeFlags: string[] = []): BenchChild {
  const tsx = import.meta.resolve('tsx');
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', ...nodeFlags, '--import', tsx, path], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
      for (const pending of waiting.values()) pending.reject(new Error(`${name} exited (${exited}) before answering`));
      waiting.clear();
      resolve();
    });
  });
  child.on('message', (message: Reply) => {
    const pending = waiting.get(message.id);
    if (pending === undefined) return;
    waiting.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new Error(`${name}: ${message.error}`));
  });
  return {
    name,
    process: child,
    request<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
      if (exited !== undefined) return Promise.reject(new Error(`${name} has exited (${exited}); its own output above says why`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        // With a callback, a child that died in between (EPIPE) fails this request instead of crashing the bench.
        child.send({ id, command, args } satisfies Request, (error) => {
          if (error === null || !waiting.delete(id)) return;
          reject(new Error(`${name}: could not send '${command}': ${error.message}`));
        });
      });
    },
    async stop(graceMs = 5000) {
      if (exited !== undefined) return;
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** In a child: answers the orchestrator's requests with `handlers`; the process exits when the channel closes. */
export function serveBenchRequests(handlers: Record<string, Handler>, onDisconnect: () => Promise<void> | void): void {
  if (process.send === undefined) throw new Error('a bench child must be started by bench/run.ts (no IPC channel)');
  process.on('message', (request: Request) => {
    const handler = handlers[request.command];
    const answer = (reply: Reply): void => void process.send?.(reply);
    if (handler === undefined) return answer({ id: request.id, ok: false, error: `unknown command ${request.command}` });
    Promise.resolve()
      .then(() => handler(request.args))
      .then(
        (value) => answer({ id: request.id, ok: true, value: value ?? null }),
        (error: unknown) => answer({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.on('disconnect', () => {
    void Promise.resolve()
      .then(onDisconnect)
      .finally(() => process.exit(0));
  });
}

/** What every target reports about itself: its own CPU time, memory and counters. */
export interface TargetSnapshot {
  /** process.cpuUsage() user + system, µs. */
  cpuUs: number;
  rssBytes: number;
  /** AudioData frames received so far. */
  frames: number;
  /** Open media sockets. */
  connections: number;
  /** High-resolution monotonic time of the snapshot, ms. */
  atMs: number;
  /** Time the event loop has been busy so far (performance.eventLoopUtilization().active), ms. */
  loopActiveMs: number;
}

/** Runs a full GC when the child was started with --expose-gc (before memory baselines only). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}
