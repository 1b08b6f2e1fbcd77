// Benchmark: what the live feed costs ingest. A fixed offered load (N unmixed calls × 2 speakers, 20 ms frames,
// paced in real time) goes into a media hub in-process; process.cpuUsage() around it gives CPU per frame with
// no live feed, with the feed and no dashboard, with 5 dashboards, and with 5 dashboards of which one listens.
// The dashboards run in a child process so their own CPU is not counted. Prints a table; no assertions.
// Usage: npx tsx bench/live-feed.ts [--calls 10] [--seconds 5] [--rounds 3]

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMediaHub, type MediaConnection, type MediaHub } from '../src/media/index.js';
import { createLiveFeed, type LiveFeed } from '../src/server/live-feed.js';
import { TrackMeter } from '../src/server/live-feed-session.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const CALLS = arg('calls', 10);
const SECONDS = arg('seconds', 5);
const FRAMES = SECONDS * 50;
const SPEAKERS = ['4:+15551234567', '8:acs:resource_agent'];

/** Pre-serialized AudioData packets (docs/protocol.md §1): a 300 Hz tone, so levels move; built before measuring. */
function makePackets(t0: number): Buffer[][] {
  return Array.from({ length: FRAMES }, (_, i) =>
    SPEAKERS.map((rawId, s) => {
      const pcm = Buffer.alloc(640);
      for (let n = 0; n < 320; n++) pcm.writeInt16LE(Math.round((s + 1) * 3000 * Math.sin((2 * Math.PI * 300 * (i * 320 + n)) / 16000)), n * 2);
      const audioData = { timestamp: new Date(t0 + i * 20).toISOString(), participantRawID: rawId, data: pcm.toString('base64'), silent: false };
      return Buffer.from(JSON.stringify({ kind: 'AudioData', audioData }));
    }),
  );
}

function connect(hub: MediaHub, call: number): MediaConnection {
  const conn = hub.connect({ url: `/ws?call=${call}`, remoteAddress: '127.0.0.1', headers: {}, send: () => true, bufferedAmount: () => 0, close: () => undefined });
  const metadata = { kind: 'AudioMetadata', audioMetadata: { subscriptionId: `sub-${call}`, encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 } };
  conn.receive(Buffer.from(JSON.stringify(metadata)), false);
  return conn;
}

/** Dashboards in a child process: connect, read everything, report bytes; optionally one listens to a track. */
const DASHBOARDS_CHILD = `
const { WebSocket } = require('ws');
const [url, count, listen] = process.argv.slice(1);
let bytes = 0, open = 0;
for (let i = 0; i < Number(count); i++) {
  const ws = new WebSocket(url);
  ws.on('open', () => { if (++open === Number(count)) process.send('ready'); });
  let asked = false;
  ws.on('message', (data, isBinary) => {
    bytes += data.length;
    if (i === 0 && listen === '1' && !asked && !isBinary) {
      const m = JSON.parse(data.toString());
      const p = m.type === 'tick' && m.events.find((e) => e.type === 'participant');
      if (p) { asked = true; ws.send(JSON.stringify({ type: 'listen', sessionId: p.sessionId, trackId: p.trackId })); }
    }
  });
}
process.on('message', () => { process.send({ bytes }); process.exit(0); });
`;

interface Result {
  usPerFrame: number;
  cpuPercent: number;
  kibPerDashboard: number;
  skipped: number;
  pcmFrames: number;
}

async function run(dashboards: number, withFeed: boolean, listen: boolean): Promise<Result> {
  const hub = createMediaHub({ recordingsDir: null, reconnectGraceMs: 0 });
  let feed: LiveFeed | undefined;
  const server = createServer();
  let child: ChildProcess | undefined;
  if (withFeed) {
    feed = createLiveFeed({ hub });
    server.on('upgrade', (req, socket, head) => feed?.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    if (dashboards > 0) {
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`;
      child = spawn(process.execPath, ['-e', DASHBOARDS_CHILD, url, String(dashboards), listen ? '1' : '0'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise((resolve) => child?.once('message', resolve));
    }
  }
  const packets = makePackets(Date.now());
  const conns = Array.from({ length: CALLS }, (_, c) => connect(hub, c));

  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await new Promise<void>((resolve) => {
    let i = 0;
    const start = performance.now();
    const step = (): void => {
      // Drift-free pacing: send every frame that is due.
      const due = Math.min(FRAMES, Math.floor((performance.now() - start) / 20) + 1);
      for (; i < due; i++) for (const conn of conns) for (const packet of packets[i]) conn.receive(packet, false);
      if (i >= FRAMES) resolve();
      else setTimeout(step, 20 - ((performance.now() - start) % 20));
    };
    step();
  });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const frames = FRAMES * CALLS * SPEAKERS.length;
  const stats = feed?.stats();

  let bytes = 0;
  if (child !== undefined) {
    const reply = new Promise<{ bytes: number }>((resolve) => child?.once('message', (m) => resolve(m as { bytes: number })));
    child.send?.('done');
    bytes = (await reply).bytes;
  }
  for (const conn of conns) conn.closed(1000, 'bench over');
  await feed?.close();
  await hub.close();
  server.close();
  return {
    usPerFrame: (cpu.user + cpu.system) / frames,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    kibPerDashboard: dashboards > 0 ? bytes / dashboards / (wallMs / 1000) / 1024 : 0,
    skipped: stats?.skipped ?? 0,
    pcmFrames: stats?.listenFramesSent ?? 0,
  };
}

const CONDITIONS = [
  { label: 'no live feed', dashboards: 0, feed: false, listen: false },
  { label: 'live feed, 0 dashboards', dashboards: 0, feed: true, listen: false },
  { label: 'live feed, 5 dashboards', dashboards: 5, feed: true, listen: false },
  { label: 'live feed, 5 dashboards, 1 listening', dashboards: 5, feed: true, listen: true },
] as const;
const ROUNDS = arg('rounds', 3);
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`live feed bench: ${CALLS} calls × ${SPEAKERS.length} speakers, ${SECONDS} s paced (${CALLS * SPEAKERS.length * 50} frames/s), recording off`);
/** The feed's per-frame work alone: one meter update (what the 'audio' listener adds to each frame). */
function meterNsPerFrame(): number {
  const meter = new TrackMeter('t', undefined);
  const levels = Array.from({ length: 1024 }, (_, i) => -60 + (i % 60));
  const n = 5_000_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    meter.add(levels[i & 1023], false, -50);
    if ((i & 7) === 7) meter.take();
  }
  return Number(process.hrtime.bigint() - start) / n;
}
meterNsPerFrame();
console.log(`meter update per frame (incl. a take() every 8 frames): ${meterNsPerFrame().toFixed(1)} ns`);
console.log(`median of ${ROUNDS} interleaved rounds after one warm-up; ingest = parse + timeline + feed, dashboards in a child process`);
await run(5, true, false);
const results = CONDITIONS.map(() => [] as Result[]);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, c] of CONDITIONS.entries()) results[i].push(await run(c.dashboards, c.feed, c.listen));
}
for (const [i, c] of CONDITIONS.entries()) {
  const r = results[i];
  const us = median(r.map((x) => x.usPerFrame)).toFixed(2);
  const load = median(r.map((x) => x.cpuPercent)).toFixed(1);
  const kib = c.dashboards > 0 ? `${median(r.map((x) => x.kibPerDashboard)).toFixed(1)} KiB/s` : '–';
  console.log(`${c.label.padEnd(38)} ${us.padStart(7)} µs/frame ${load.padStart(6)} % CPU ${kib.padStart(12)} per dashboard  (runs: ${r.map((x) => x.usPerFrame.toFixed(1)).join(', ')}; skipped ${median(r.map((x) => x.skipped))}, PCM frames ${median(r.map((x) => x.pcmFrames))})`);
}
