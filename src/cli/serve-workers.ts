// `acs-audio serve --workers <n|auto>`: the flag's value, the primary's run (this process: the port, no media), and
// each worker's link to it (the same `serve` command line, run again by the primary with its slot in the environment).
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import { createWorkerLink, createWorkerPool, repairOnStart, WORKER_SLOT_ENV, WORKER_URL_ENV, type WorkerChannel, type WorkerLink } from '../server/index.js';

const MAX_WORKERS = 256;

/** --workers: a count from 1, or `auto` (one per core this process may use). */
export function parseWorkers(value: string): number {
  if (value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`--workers must be "auto" or a whole number from 1 to ${MAX_WORKERS}.`);
  return n;
}

/** Why --workers cannot run with these flags (empty when it can). */
export function checkWorkerFlags(workers: number, flags: { nats?: string; recordings: string }): string[] {
  if (workers <= 1) return [];
  const problems: string[] = [];
  if (flags.nats) problems.push('--workers and --nats cannot be combined yet: run one process per node with --nats, or --workers without it');
  if (flags.recordings.startsWith('azblob://')) problems.push('--workers and --recordings azblob:// cannot be combined yet: each worker would drain the one spool');
  return problems;
}

/** In a worker process (started by a primary): its link to the primary; undefined in any other process. */
export function workerLinkFromEnvironment(logger: Logger): WorkerLink | undefined {
  const slot = process.env[WORKER_SLOT_ENV];
  const url = process.env[WORKER_URL_ENV];
  if (slot === undefined || url === undefined || !process.send) return undefined;
  const send = process.send.bind(process);
  const channel: WorkerChannel = {
    send: (message) => void send(message),
    onMessage: (listener) => void process.on('message', listener),
  };
  return createWorkerLink({ slot: Number(slot), url, channel, logger });
}

/** Runs the primary: repairs what a crash left in the recordings folder (once, before any worker records), starts the
 *  workers behind the port, stops them all on SIGTERM / SIGINT. Resolves once listening; the exit code on failure. */
export async function runPrimary(options: { host: string; port: number; workers: number; recordingsDir: string | null; logger: Logger }): Promise<number> {
  const { logger } = options;
  if (options.recordingsDir !== null) await repairOnStart(options.recordingsDir, logger);
  const pool = createWorkerPool({
    host: options.host,
    port: options.port,
    workers: options.workers,
    logger,
    command: { script: process.argv[1], args: process.argv.slice(2), execArgv: process.execArgv, env: process.env },
  });
  try {
    await pool.listen();
  } catch (error) {
    console.error(`acs-audio serve: ${(error as Error).message}`);
    return (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 1 : 2;
  }
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping: every worker closes its sockets and finishes its recordings');
    void pool.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return 0;
}
