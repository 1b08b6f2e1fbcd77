// A temporary folder for a test that is removed when the test process exits: tests (and the servers they start)
// read their files until the end, and a run outside scripts/run-tests.mjs must not leave them in /tmp.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let hooked = false;

/** mkdtemp under os.tmpdir() with `prefix`; the folder and everything in it go when the process exits. */
export async function tempDirUntilExit(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
