// Consumers that stop and resume: subscribe() with a durable name, and `acs-audio tap --wav --durable`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createMediaEngine } from '../../src/emulator/index.js';
import { readWav } from '../../src/audio/index.js';
import { subscribe, type SubscribedMessage } from '../../src/scale/index.js';
import type { SessionSummary } from '../../src/server/index.js';
import { skipWithoutNats, startNatsServer } from './nats-harness.js';
import { startCall, startNode, twoPartyScenario } from './nats-cluster-fixtures.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { waitUntil } from '../wait-until.js';

const key = (m: SubscribedMessage) => m.streamSequence;

test('a durable subscriber stopped mid-stream resumes with the next message: every message once, in order', { skip: skipWithoutNats, timeout: 60_000 }, async () => {
  const nats = await startNatsServer();
  const a = await startNode(nats.url, 'node-a');
  const engine = createMediaEngine({ speed: 10 });
  try {
    const ended = new Promise<SessionSummary>((resolve) => a.server.on('session', (s) => s.once('end', resolve)));
    const call = startCall(engine, a.wsUrl, 'resume', twoPartyScenario(2000));
    await call.events.done;
    const summary = await ended;
    await a.server.nats!.close(); // everything queued is published and acked

    const all: SubscribedMessage[] = [];
    for await (const m of await subscribe({ nats: nats.url, sessionId: summary.id, untilEnded: true })) all.push(m);
    assert.equal(all.filter((m) => m.kind === 'frame').length, summary.participants.reduce((n, p) => n + p.frames, 0));

    const first: SubscribedMessage[] = [];
    for await (const m of await subscribe({ nats: nats.url, sessionId: summary.id, durable: 'resumer' })) {
      first.push(m);
      if (first.length === 77) break;
    }
    const rest: SubscribedMessage[] = [];
    for await (const m of await subscribe({ nats: nats.url, sessionId: summary.id, durable: 'resumer', untilEnded: true })) rest.push(m);
    assert.deepEqual([...first, ...rest].map(key), all.map(key));
  } finally {
    await engine.close();
    await a.server.close();
    await nats.stop();
  }
});

function runTap(args: string[]): { child: ReturnType<typeof spawn>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'tap', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

test('acs-audio tap --wav --durable, interrupted and started again, writes each track whole: the node recording, sample for sample', { skip: skipWithoutNats, timeout: 90_000 }, async () => {
  const nats = await startNatsServer();
  const a = await startNode(nats.url, 'node-a');
  const engine = createMediaEngine({ speed: 1 });
  const dir = await tempDirUntilExit('tap-wav-');
  try {
    const sessionId = new Promise<string>((resolve) => a.server.on('session', (s) => resolve(s.id)));
    const ended = new Promise<SessionSummary>((resolve) => a.server.on('session', (s) => s.once('end', resolve)));
    startCall(engine, a.wsUrl, 'tapped', twoPartyScenario(8000));
    const id = await sessionId;
    const args = ['--nats', nats.url, '--session', id, '--wav', dir, '--durable', 'wav-tap', '--until-ended'];

    const first = runTap(args);
    // Interrupt it mid-call, once it has written a second of audio (its signal handler is set by then: a SIGINT
    // sent while tsx is still starting would kill it instead).
    const written = async () => {
      const wavs = (await readdir(join(dir, id)).catch(() => [])).filter((name) => name.endsWith('.wav'));
      const sizes = await Promise.all(wavs.map((name) => stat(join(dir, id, name)).then((info) => info.size)));
      return sizes.length > 0 ? Math.min(...sizes) : 0;
    };
    await waitUntil(async () => /following/.test(first.output()) && (await written()) > 44 + 50 * 640, {
      timeoutMs: 30_000,
      message: () => `the first tap to write a second of audio: ${first.output()}`,
    });
    first.child.kill('SIGINT');
    const [firstCode] = await once(first.child, 'exit');
    assert.equal(firstCode, 0, first.output());
    assert.match(first.output(), /frames so far \(session not ended\)/, 'the first tap stopped before the call ended');

    const second = runTap(args);
    const [secondCode] = await once(second.child, 'exit');
    assert.equal(secondCode, 0, second.output());
    const summary = await ended;
    for (const p of summary.participants) {
      const node = readWav(await readFile(join(summary.recordingDir!, p.file!)));
      const tapped = readWav(await readFile(join(dir, id, `${p.trackId}.wav`)));
      assert.equal(tapped.samples.length, p.frames * 320, `${p.trackId}: ${p.frames} frames`);
      assert.deepEqual(tapped.samples, node.samples);
    }
    assert.doesNotMatch(second.output(), /missing filled with silence/);
  } finally {
    await engine.close();
    await a.server.close();
    await nats.stop();
  }
});
