// Keeps `npm run bench` working: one --quick run (floor and media server in their own processes, the emulator's
// media engine as the load) must account for every frame. It asserts counts only, never a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));

interface QuickResult {
  results: Array<{
    target: 'floor' | 'diy' | 'server';
    callsStreamed: number;
    trackFiles: number | null;
    framesSent: number;
    framesReceived: number;
    framesWritten: number | null;
    talkBackEchoed: number;
  }>;
}

function runQuick(...flags: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, '--quick', '--json', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('bench --quick: every frame the generator sends is received, and written to the track files, by diy and the server', async () => {
  const { code, stdout, stderr } = await runQuick();
  assert.equal(code, 0, `bench exited ${code}\n${stderr}`);
  const { results } = JSON.parse(stdout) as QuickResult;
  const floor = results.find((r) => r.target === 'floor');
  const diy = results.find((r) => r.target === 'diy');
  const server = results.find((r) => r.target === 'server');
  assert.ok(floor && diy && server, 'all three targets ran');
  assert.ok(server.framesSent > 0, 'the generator sent frames');
  assert.equal(floor.framesReceived, floor.framesSent);
  // The hand-written recorder (Microsoft's sample plus files) keeps every frame too: its figures compare like for like.
  assert.equal(diy.framesReceived, diy.framesSent);
  assert.equal(diy.framesWritten, diy.framesSent);
  assert.equal(diy.trackFiles, 20);
  assert.equal(server.framesReceived, server.framesSent);
  assert.equal(server.framesWritten, server.framesSent);
});

test('bench --generators 2: the calls are split between two processes, each call once, every frame accounted for', async () => {
  const { code, stdout, stderr } = await runQuick('--only', 'server', '--generators', '2');
  assert.equal(code, 0, `bench exited ${code}\n${stderr}`);
  const [server] = (JSON.parse(stdout) as QuickResult).results;
  // --quick: 10 calls × 2 participants. Overlapping shares would stream a call twice (more calls, or two processes
  // sending under one call's IDs: fewer sessions, so fewer track files).
  assert.equal(server.callsStreamed, 10);
  assert.equal(server.trackFiles, 20);
  assert.ok(server.framesSent > 0);
  assert.equal(server.framesReceived, server.framesSent);
  assert.equal(server.framesWritten, server.framesSent);
  assert.ok(server.talkBackEchoed > 0, 'the echo calls were timed');
});
