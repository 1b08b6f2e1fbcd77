// A node killed with SIGKILL: the other node's calls go on untouched, and the registry marks the lost node's sessions ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { connect } from 'nats';
import { createMediaEngine } from '../../src/emulator/index.js';
import { registryKeyOf } from '../../src/cluster/index.js';
import type { SessionSummary } from '../../src/server/index.js';
import { skipWithoutNats, startNatsServer } from './nats-harness.js';
import { startCall, startNode, twoPartyScenario } from './nats-cluster-fixtures.js';
import { waitUntil } from '../wait-until.js';
import { tempDirUntilExit } from '../temp-dir.js';

interface Listed {
  id: string;
  node: string;
  state: string;
  endReason?: string;
}

test("killing one node leaves the other's calls untouched and its sessions marked ended in the registry", { skip: skipWithoutNats, timeout: 60_000 }, async () => {
  const nats = await startNatsServer();
  const a = await startNode(nats.url, 'node-a');
  const childDir = await tempDirUntilExit('nats-node-b-');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/scale/nats-node-child.ts', nats.url, 'node-b', childDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const engine = createMediaEngine({ speed: 1 });
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const b = JSON.parse(line) as { url: string; wsUrl: string };
    const survivorEnd = new Promise<SessionSummary>((resolve) => a.server.on('session', (s) => s.once('end', resolve)));
    const survivor = startCall(engine, a.wsUrl, 'survivor', twoPartyScenario(3000));
    const victim = startCall(engine, b.wsUrl, 'victim', twoPartyScenario(20_000));
    const list = async () => ((await (await fetch(`${a.url}/api/sessions`)).json()) as { sessions: Listed[] }).sessions;
    await waitUntil(async () => (await list()).filter((s) => s.state === 'streaming').length === 2, { timeoutMs: 5000, message: 'both calls streaming in the cluster list' });

    child.kill('SIGKILL');
    await once(child, 'exit');
    await waitUntil(async () => (await list()).some((s) => s.node === 'node-b' && s.state === 'ended'), { timeoutMs: 5000, message: "node-b's session listed as ended" });
    const lost = (await list()).find((s) => s.node === 'node-b')!;
    assert.match(lost.endReason ?? '', /node node-b stopped sending heartbeats/);

    // The registry itself says so (swept by node-a), not only node-a's view of it.
    const nc = await connect({ servers: nats.url });
    const kv = await nc.jetstream().views.kv('acs-sessions');
    await waitUntil(async () => (await kv.get(registryKeyOf(lost.id)))?.json<Listed>().state === 'ended', { timeoutMs: 5000, message: 'the registry entry to be marked ended' });
    await nc.close();

    const summary = await survivorEnd;
    await survivor.events.done;
    assert.equal(summary.state, 'ended');
    assert.equal(summary.counts.gapsFilled, 0, 'no frame of the surviving call was lost');
    for (const p of summary.participants) assert.equal(p.frames, 150, `${p.trackId}: 3 s of audio`);
    const own = (await list()).find((s) => s.id === summary.id)!;
    assert.equal(own.node, 'node-a');
    assert.equal(own.state, 'ended');
    await victim.stream.stop();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await engine.close();
    await a.server.close();
    await nats.stop();
  }
});
