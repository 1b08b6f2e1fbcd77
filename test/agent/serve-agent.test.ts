// `acs-audio serve --agent-url/--agent-key/--agent-instructions` as a user starts it, a real process: a call created
// through the emulator's Call Automation API streams into it, the agent answers against the emulator's realtime model
// (createEmulator({ realtime })), the emulator's caller hears the greeting, and the session folder records both sides.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEmulator } from '../../src/emulator/index.js';
import { createCallClient, createStreamingCall } from '../../src/calls/index.js';
import { readWav } from '../../src/audio/index.js';
import { startServe } from '../cli/serve-process.js';
import { tempDirUntilExit } from '../temp-dir.js';
import { waitUntil } from '../wait-until.js';
import { CALLER, GREET_AND_END_SCRIPT, oneQuestionScenario } from './harness.js';

const GREETING_MS = 3758;

/** The session folder under `recordings` whose session.json says it ended, with that summary. */
async function endedSession(recordings: string): Promise<{ dir: string; summary: { state: string; participants: Array<{ trackId: string; file?: string }> } } | undefined> {
  for (const day of await readdir(recordings).catch(() => [])) {
    for (const id of await readdir(join(recordings, day))) {
      const dir = join(recordings, day, id);
      const text = await readFile(join(dir, 'session.json'), 'utf8').catch(() => undefined);
      const summary = text === undefined ? undefined : (JSON.parse(text) as { state: string; participants: Array<{ trackId: string; file?: string }> });
      if (summary?.state === 'ended') return { dir, summary };
    }
  }
  return undefined;
}

test('serve --agent-url/--agent-key/--agent-instructions: an emulator call reaches the agent, its greeting is heard and recorded with both sides of the transcript', { timeout: 60_000 }, async (t) => {
  const dir = await tempDirUntilExit('serve-agent-');
  const recordings = join(dir, 'recordings');
  const instructions = join(dir, 'instructions.txt');
  await writeFile(instructions, 'You answer calls for the serve test. Hang up when the caller is done.');
  const emulator = createEmulator({
    port: 0,
    scenario: oneQuestionScenario(),
    realtime: { port: 0, script: GREET_AND_END_SCRIPT as never },
  });
  const { connectionString } = await emulator.listen();
  t.after(() => emulator.close());
  const model = emulator.realtime!;
  const serve = startServe([
    ...['--port', '0', '--recordings', recordings, '--auth', 'off', '--connection-string', connectionString],
    ...['--agent-url', `${model.url}/v1/realtime?model=gpt-realtime`, '--agent-key', model.apiKey, '--agent-instructions', `@${instructions}`],
  ]);
  t.after(async () => {
    if (serve.child.exitCode !== null) return;
    serve.child.kill('SIGTERM');
    await once(serve.child, 'exit');
  });
  const wsUrl = await serve.ready;
  const httpUrl = wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
  assert.match(serve.log(), /a voice agent answers every call/);

  const client = createCallClient(connectionString);
  const created = await createStreamingCall(client, {
    to: CALLER.replace(/^4:/, ''),
    from: '+15550000000',
    callbackUrl: `${httpUrl}/api/callbacks`,
    streamUrl: `${wsUrl}?call=serve-agent`,
    channel: 'mixed',
    format: 'pcm24k',
    bidirectional: true,
    dtmf: true,
    startNow: true,
  });
  const callConnectionId = created.callConnectionId ?? '';

  // The agent connected to the model with the key it was given, greeted, and hung up with end_call through the SDK.
  await waitUntil(() => emulator.getCall(callConnectionId)?.state === 'disconnected', {
    timeoutMs: 30_000,
    message: () => `the agent to end the call: model ${JSON.stringify(model.connections()[0])}\n${serve.log().slice(-2000)}`,
  });
  const record = model.connections()[0];
  assert.ok(record, 'the agent connected to the realtime model');
  assert.equal(record.responses[0]?.status, 'completed', 'the greeting was generated to its end');
  assert.equal(record.toolCalls[0]?.name, 'end_call');

  // The emulator's caller heard the whole greeting.
  const media = emulator.getCall(callConnectionId)?.media;
  assert.ok(media && media.outboundHeardMs >= GREETING_MS - 40, `the caller heard ${media?.outboundHeardMs} ms of the ${GREETING_MS} ms greeting`);

  // The session folder: talk-back.wav holds at least the greeting, transcript.jsonl has both speakers.
  const session = await waitUntil(() => endedSession(recordings), { timeoutMs: 15_000, message: 'session.json of the ended session' });
  const talkBack = session.summary.participants.find((p) => p.trackId === 'talk-back');
  assert.equal(talkBack?.file, 'talk-back.wav', `participants: ${JSON.stringify(session.summary.participants)}`);
  const wav = readWav(await readFile(join(session.dir, 'talk-back.wav')));
  assert.ok((wav.samples.length * 1000) / wav.sampleRate >= GREETING_MS - 40, 'talk-back.wav holds the greeting');
  assert.ok(wav.samples.some((s) => Math.abs(s) > 1000), 'talk-back.wav is not silence');
  const lines = (await readFile(join(session.dir, 'transcript.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { speaker?: string; text?: string; timelineMs?: number });
  assert.ok(lines.some((l) => l.speaker === 'agent' && /thanks for calling/i.test(l.text ?? '')), `the greeting in transcript.jsonl: ${JSON.stringify(lines)}`);
  assert.ok(lines.some((l) => l.speaker === 'caller' && (l.text ?? '') !== ''), `the caller in transcript.jsonl: ${JSON.stringify(lines)}`);
  assert.ok(lines.every((l) => typeof l.timelineMs === 'number'), 'each line has its timeline ms');
});
