// Runs every test file under test/ (or those given) with Node's test runner and tsx.
// Node 20's --test takes no globs, so the files are listed here.
// Every test process gets TMPDIR set to one folder for this run, removed at the end: tests (and the servers,
// nats-server and browsers they start) write recordings and stores under os.tmpdir(), and a test that forgets to
// clean up must not fill the disk over many runs. KEEP_TEST_TMP=1 keeps the folder for a look after a failure.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const args = process.argv.slice(2);
const files = (args.length > 0 ? args : findTests('test')).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under test/');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const runTmp = mkdtempSync(join(tmpdir(), 'acs-audio-tests-'));
const keepTmp = process.env.KEEP_TEST_TMP === '1';

function cleanUp() {
  if (keepTmp) console.error(`run-tests: kept the tests' temporary files in ${runTmp}`);
  else rmSync(runTmp, { recursive: true, force: true });
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, TMPDIR: runTmp } },
);
// Ctrl-C reaches the test runner too (same process group); wait for it to finish, then clean up.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => {
  cleanUp();
  // code is null only when a signal ended the runner: that is a failure.
  process.exit(code ?? 1);
});
