// Test harness: a real `nats-server -js` on an ephemeral port with its own store folder, stopped after the test.
// Debian's nats-server package provides /usr/sbin/nats-server (scripts/test.sh installs it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER = '/usr/sbin/nats-server';

/** A reason to skip, when nats-server is not installed; false otherwise (node:test's `skip` option). */
export const skipWithoutNats: string | false = existsSync(NATS_SERVER)
  ? false
  : `${NATS_SERVER} is missing: install Debian's nats-server package (scripts/test.sh does) to run the NATS scale-out tests`;

/** A running nats-server. */
export interface NatsServerProcess {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts nats-server with JetStream on a free port; resolves once it accepts clients. */
export async function startNatsServer(): Promise<NatsServerProcess> {
  const storeDir = await mkdtemp(join(tmpdir(), 'nats-js-'));
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /Listening for client connections on ([\d.]+:\d+)/.exec(log);
      if (match) resolve(`nats://${match[1]}`);
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`nats-server exited (${code}) before listening:\n${log}`)));
    setTimeout(() => reject(new Error(`nats-server did not listen within 10 s:\n${log}`)), 10_000).unref();
  });
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
