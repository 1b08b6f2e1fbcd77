// A real Azurite Blob service for tests: a child process on 127.0.0.1 with an ephemeral port (or a given one, to
// restart after an outage), data in a folder that outlives the Azurite process (removed when the test process
// exits), and the well-known dev account.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tempDirUntilExit } from '../temp-dir.js';

/** Azurite's fixed development account (documented by Microsoft, not a secret). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const LISTENING = /successfully listens on https?:\/\/[^\s:]+:(\d+)/;
const START_TIMEOUT_MS = 30_000;

/** A running Azurite Blob service. */
export interface Azurite {
  readonly port: number;
  /** Workspace folder (blobs and metadata); pass it to startAzurite again to restart with the same data. */
  readonly location: string;
  readonly connectionString: string;
  /** Kill the process (SIGKILL: an outage, not a shutdown) and wait for it to exit. Idempotent. */
  stop(): Promise<void>;
}

function azuriteBlobMain(): string {
  const packageJson = createRequire(import.meta.url).resolve('azurite/package.json');
  return join(dirname(packageJson), 'dist', 'src', 'blob', 'main.js');
}

/** Start Azurite Blob on 127.0.0.1:`port` (0 = ephemeral) with data in `location` (default: a new temp folder). */
export async function startAzurite(options: { port?: number; location?: string } = {}): Promise<Azurite> {
  const location = options.location ?? (await tempDirUntilExit('azurite-'));
  const args = [azuriteBlobMain(), '--blobHost', '127.0.0.1', '--blobPort', String(options.port ?? 0), '--location', location];
  const child = spawn(process.execPath, [...args, '--silent', '--skipApiVersionCheck', '--loose', '--disableTelemetry'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test process that dies without running its after() hooks must not leave Azurite behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const port = await listeningPort(child);
  const exited = child.exitCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
  return {
    port,
    location,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
      `BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resolves with the port Azurite prints once it listens; rejects with its output if it exits or takes too long. */
function listeningPort(child: ChildProcess): Promise<number> {
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start: ${why}. Its output:\n${output}`));
    };
    const timer = setTimeout(() => fail(`no "listens on" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = LISTENING.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
    child.once('error', (err) => fail(err.message));
  });
}
