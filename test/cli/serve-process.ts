// `acs-audio serve` as a child process, the way a user starts it: resolves with the ingest URL it logs at startup.
import { spawn, type ChildProcess } from 'node:child_process';

/** A running `acs-audio serve`: `ready` resolves with its ws:// ingest URL; `log()` is its stderr so far. */
export interface ServeProcess {
  child: ChildProcess;
  ready: Promise<string>;
  log(): string;
}

/** Starts `acs-audio serve <args>` with tsx; `env` is added to this process's environment. */
export function startServe(args: string[], env: Record<string, string> = {}): ServeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /"ws":"(ws:\/\/[^"]+)"/.exec(stderr);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
  });
  return { child, ready, log: () => stderr };
}
