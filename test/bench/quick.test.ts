// Keeps `npm run bench` working: one --quick run (floor and media server in their own processes, the emulator's
// media engine as the load) must account for every frame. It asserts counts only, never a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));

interface QuickResult {
  results: Array<{ target: 'floor' | 'server'; framesSent: number; framesReceived: number; framesWritten: number | null }>;
}

function runQuick(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, '--quick', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('bench --quick: every frame the generator sends is received, and written to the track WAVs', async () => {
  const { code, stdout, stderr } = await runQuick();
  assert.equal(code, 0, `bench exited ${code}\n${stderr}`);
  const { results } = JSON.parse(stdout) as QuickResult;
  const floor = results.find((r) => r.target === 'floor');
  const server = results.find((r) => r.target === 'server');
  assert.ok(floor && server, 'both targets ran');
  assert.ok(server.framesSent > 0, 'the generator sent frames');
  assert.equal(floor.framesReceived, floor.framesSent);
  assert.equal(server.framesReceived, server.framesSent);
  assert.equal(server.framesWritten, server.framesSent);
});
