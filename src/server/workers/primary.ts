// The primary of `acs-audio serve --workers <n>`: it owns the listening socket and runs no media itself. Each accepted
// connection's request head is read (routing.ts) and the socket is handed whole to one worker process, so a call's
// frames never cross a process boundary; a /ws upgrade goes by its x-ms-call-connection-id, so a call's reconnects
// reach the worker holding its session. It relays the workers' questions to each other (ipc.ts), restarts a worker
// that dies (with backoff) and repairs the recordings of the sessions that worker left unfinished.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { repairRecordings } from '../../audio/index.js';
import { isWorkerMessage, WORKER_SLOT_ENV, WORKER_URL_ENV, type PeerReply, type PeerRequest, type PrimaryMessage, type WorkerMessage } from './ipc.js';
import { readRequestHead, slotFor, type RequestHead } from './routing.js';

/** How to start one worker: the same `acs-audio serve` command line, run again. */
export interface WorkerCommand {
  script: string;
  args: string[];
  execArgv: string[];
  env: NodeJS.ProcessEnv;
}

/** What the pool needs. */
export interface WorkerPoolOptions {
  host: string;
  port: number;
  /** Worker processes (at least 1). */
  workers: number;
  command: WorkerCommand;
  logger: Logger;
  /** Longest a worker's question waits for another worker's answer. @default 5000 */
  askTimeoutMs?: number;
  /** First restart delay after a worker dies; doubled per quick death, up to maxRestartDelayMs. @default 500 */
  restartDelayMs?: number;
  /** @default 30000 */
  maxRestartDelayMs?: number;
  /** Longest a worker may take from start to ready before the pool gives up (at listen) or restarts it. @default 60000 */
  startTimeoutMs?: number;
}

/** A running primary. */
export interface WorkerPool {
  /** Listens, starts every worker; resolves when all take connections. */
  listen(): Promise<{ url: string; wsUrl: string }>;
  /** Stops accepting, asks every worker to finish (SIGTERM), waits for them to exit. Idempotent. */
  close(): Promise<void>;
  address(): AddressInfo | undefined;
  /** The live workers, by slot. */
  workers(): Array<{ slot: number; pid: number | undefined; ready: boolean; restarts: number }>;
}

interface Slot {
  index: number;
  child: ChildProcess | undefined;
  ready: boolean;
  restarts: number;
  delayMs: number;
  startedAt: number;
  /** Sessions the worker reported open, by id: their recording folders. */
  recordings: Map<string, string | undefined>;
}

interface Relay {
  from: Slot;
  id: number;
  replies: PeerReply[];
  pending: number;
  timer: NodeJS.Timeout;
}

/** Creates the primary; nothing listens until listen(). */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  return new Primary(options);
}

class Primary implements WorkerPool {
  private readonly log: Logger;
  private readonly slots: Slot[];
  private readonly server: Server;
  private readonly relays = new Map<number, Relay>();
  private readonly waitingForWorker: Array<{ socket: Socket; head: RequestHead }> = [];
  private nextRelay = 1;
  private roundRobin = 0;
  private url = '';
  private closing: Promise<void> | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    this.log = options.logger.child({ component: 'workers' });
    this.slots = Array.from({ length: options.workers }, (_, index) => ({ index, child: undefined, ready: false, restarts: 0, delayMs: options.restartDelayMs ?? 500, startedAt: 0, recordings: new Map() }));
    this.server = createServer({ pauseOnConnect: true }, (socket) => this.onConnection(socket));
  }

  address(): AddressInfo | undefined {
    return (this.server.address() as AddressInfo | null) ?? undefined;
  }

  workers() {
    return this.slots.map((s) => ({ slot: s.index, pid: s.child?.pid, ready: s.ready, restarts: s.restarts }));
  }

  async listen(): Promise<{ url: string; wsUrl: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    const host = this.options.host && this.options.host !== '0.0.0.0' && this.options.host !== '::' ? this.options.host : '127.0.0.1';
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    try {
      await Promise.all(this.slots.map((slot) => this.start(slot)));
    } catch (error) {
      await this.close();
      throw error;
    }
    const wsUrl = `${this.url.replace(/^http/, 'ws')}/ws`;
    this.log.info({ ws: wsUrl, workers: this.workers().map((w) => w.pid) }, `acs-audio serve: ${this.slots.length} workers take calls at ${wsUrl}`);
    return { url: this.url, wsUrl };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.server.close();
      for (const { socket } of this.waitingForWorker.splice(0)) socket.destroy();
      const exits = this.slots.map((slot) => {
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        return new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      });
      await Promise.all(exits);
      this.log.info('every worker stopped');
    })();
    return this.closing;
  }

  /** Forks the slot's worker; resolves when it is ready (rejects when it exits or times out first). */
  private start(slot: Slot): Promise<void> {
    const { command } = this.options;
    const child = fork(command.script, command.args, {
      execArgv: command.execArgv,
      env: { ...command.env, [WORKER_SLOT_ENV]: String(slot.index), [WORKER_URL_ENV]: this.url },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    slot.child = child;
    slot.ready = false;
    slot.startedAt = Date.now();
    slot.recordings = new Map();
    child.on('message', (message) => {
      if (isWorkerMessage(message)) this.onWorkerMessage(slot, message);
    });
    child.once('exit', (code, signal) => void this.onExit(slot, child, code, signal));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${slot.index} did not start within ${this.options.startTimeoutMs ?? 60_000} ms`)), this.options.startTimeoutMs ?? 60_000);
      timer.unref();
      const onReady = (message: unknown) => {
        if (!isWorkerMessage(message) || message.kind !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onReady);
        resolve();
      };
      child.on('message', onReady);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker ${slot.index} exited (${code}) before it was ready`));
      });
    });
  }

  private onWorkerMessage(slot: Slot, message: WorkerMessage): void {
    switch (message.kind) {
      case 'ready':
        slot.ready = true;
        this.log.info({ worker: slot.index, pid: slot.child?.pid }, 'worker ready');
        this.flushWaiting();
        return;
      case 'recording':
        if (message.ended) slot.recordings.delete(message.sessionId);
        else slot.recordings.set(message.sessionId, message.dir);
        return;
      case 'ask':
        return this.relay(slot, message.id, message.request);
      case 'answer':
        return this.collect(message.id, message.reply);
    }
  }

  /** A worker's question to every other ready worker; answered when all did, or at the timeout with what came. */
  private relay(from: Slot, id: number, request: PeerRequest): void {
    const others = this.slots.filter((s) => s !== from && s.ready && s.child?.connected);
    const relayId = this.nextRelay++;
    const relay: Relay = {
      from,
      id,
      replies: [],
      pending: others.length,
      timer: setTimeout(() => this.answerRelay(relayId), this.options.askTimeoutMs ?? 5000),
    };
    relay.timer.unref();
    this.relays.set(relayId, relay);
    for (const slot of others) this.sendTo(slot, { kind: 'question', id: relayId, request });
    if (others.length === 0) this.answerRelay(relayId);
  }

  private collect(relayId: number, reply: PeerReply): void {
    const relay = this.relays.get(relayId);
    if (!relay) return;
    relay.replies.push(reply);
    if (--relay.pending <= 0) this.answerRelay(relayId);
  }

  private answerRelay(relayId: number): void {
    const relay = this.relays.get(relayId);
    if (!relay) return;
    this.relays.delete(relayId);
    clearTimeout(relay.timer);
    this.sendTo(relay.from, { kind: 'answers', id: relay.id, replies: relay.replies });
  }

  private sendTo(slot: Slot, message: PrimaryMessage, socket?: Socket): boolean {
    const child = slot.child;
    if (!child?.connected) return false;
    child.send(message, socket, { keepOpen: false }, (error) => {
      if (error) {
        this.log.warn({ err: error, worker: slot.index }, 'workers: could not send to a worker');
        socket?.destroy();
      }
    });
    return true;
  }

  /** A new connection: read its head, then hand it to a worker (or hold it until one is ready). */
  private onConnection(socket: Socket): void {
    if (this.closing) return void socket.destroy();
    readRequestHead(socket).then(
      (head) => {
        if (head) this.handOver(socket, head);
      },
      () => socket.destroy(),
    );
  }

  private handOver(socket: Socket, head: RequestHead): void {
    const slot = this.pick(head);
    if (!slot) {
      this.waitingForWorker.push({ socket, head });
      return;
    }
    if (!this.sendTo(slot, { kind: 'connection', head: head.bytes.toString('base64') }, socket)) socket.destroy();
  }

  /** The worker for a connection: the call's (by its id) when that one is ready, else the next ready one in turn. */
  private pick(head: RequestHead): Slot | undefined {
    const ready = this.slots.filter((s) => s.ready && s.child?.connected);
    if (ready.length === 0) return undefined;
    if (head.callConnectionId !== undefined) {
      const own = this.slots[slotFor(head.callConnectionId, this.slots.length)];
      if (own.ready && own.child?.connected) return own;
    }
    return ready[this.roundRobin++ % ready.length];
  }

  private flushWaiting(): void {
    for (const { socket, head } of this.waitingForWorker.splice(0)) this.handOver(socket, head);
  }

  /** A worker exited: unless the pool is closing, repair what it left and start a new one in its slot. */
  private async onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (slot.child !== child) return;
    slot.ready = false;
    for (const [relayId, relay] of this.relays) {
      if (relay.from !== slot) continue;
      clearTimeout(relay.timer);
      this.relays.delete(relayId);
    }
    if (this.closing) return;
    const left = [...slot.recordings.values()].filter((dir): dir is string => dir !== undefined);
    this.log.error({ worker: slot.index, pid: child.pid, code, signal, sessions: slot.recordings.size }, 'a worker died: repairing its recordings, then restarting it');
    await this.repair(slot.index, left);
    // A worker that lived a while restarts at once and fast; one that dies again soon waits longer each time.
    const initial = this.options.restartDelayMs ?? 500;
    if (Date.now() - slot.startedAt > 60_000) slot.delayMs = initial;
    const delay = slot.delayMs;
    slot.delayMs = Math.min(slot.delayMs * 2, this.options.maxRestartDelayMs ?? 30_000);
    slot.restarts++;
    const timer = setTimeout(() => {
      if (this.closing) return;
      this.start(slot).catch((error: Error) => this.log.error({ err: error, worker: slot.index }, 'a restarted worker failed to start'));
    }, delay);
    timer.unref();
  }

  private async repair(worker: number, dirs: string[]): Promise<void> {
    for (const dir of dirs) {
      const report = await repairRecordings(dir).catch((error: Error) => {
        this.log.error({ err: error, dir }, 'could not repair a dead worker\'s recording');
        return undefined;
      });
      if (report) this.log.warn({ worker, dir, checked: report.checked, repaired: report.repaired.length, failed: report.failed.length }, 'repaired a session a dead worker left');
    }
  }
}
