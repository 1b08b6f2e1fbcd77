// An agent call on a node with --nats: both sides of the agent's conversation reach JetStream as transcript messages
// with their speaker and timeline ms (what transcript.jsonl holds), and the talk-back track's frames go out like the
// caller's, so a subscriber on another machine follows an agent call like any other (docs/scale-out.md §Subjects).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { subscribe, type SubscribedMessage } from '../../src/cluster/index.js';
import type { SessionSummary } from '../../src/server/index.js';
import { skipWithoutNats, startNatsServer } from '../scale/nats-harness.js';
import { GREET_AND_END_SCRIPT, oneQuestionScenario, startAgentRig } from './harness.js';

test('an agent call on NATS: caller and agent lines arrive as transcript messages with speaker and timeline ms, the talk-back track as frames', { skip: skipWithoutNats, timeout: 60_000 }, async (t) => {
  const nats = await startNatsServer();
  t.after(() => nats.stop());
  const rig = await startAgentRig(t, {
    script: GREET_AND_END_SCRIPT,
    scenario: oneQuestionScenario(),
    server: { logger: pino({ level: 'silent' }), nats: { url: nats.url, nodeId: 'agent-node' } },
  });
  const { session } = await rig.call();
  const summary = await new Promise<SessionSummary>((resolve) => session.once('end', resolve));
  await rig.server.nats!.close(); // everything queued is published and acknowledged

  const messages: SubscribedMessage[] = [];
  for await (const m of await subscribe({ nats: nats.url, sessionId: summary.id, untilEnded: true })) messages.push(m);

  const onNats = messages.flatMap((m) => (m.kind === 'transcript' ? [m.transcript] : []));
  const recorded = (await readFile(join(summary.recordingDir!, 'transcript.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { speaker: string; text: string; timelineMs: number });
  assert.ok(recorded.some((l) => l.speaker === 'caller') && recorded.some((l) => l.speaker === 'agent'), `both speakers recorded: ${JSON.stringify(recorded)}`);
  assert.deepEqual(
    onNats.map((m) => ({ speaker: m.speaker, text: m.text, timelineMs: m.timelineMs })),
    recorded.map((l) => ({ speaker: l.speaker, text: l.text, timelineMs: l.timelineMs })),
    'every transcript.jsonl line, in order, on NATS',
  );
  for (const m of onNats) assert.equal(m.offsetTicks, String((m.timelineMs ?? -1) * 10_000), 'offsetTicks is the timeline position');

  const talkBack = summary.participants.find((p) => p.trackId === 'talk-back');
  assert.ok(talkBack && talkBack.frames > 0, `a talk-back track: ${JSON.stringify(summary.participants)}`);
  const talkBackFrames = messages.filter((m) => m.kind === 'frame' && m.trackId === 'talk-back');
  assert.equal(talkBackFrames.length, talkBack.frames, 'every talk-back frame on NATS');
});
