// The live feed behind the dashboard: one WebSocket per dashboard with a snapshot first, then ticks of levels and
// events; PCM only for a dashboard that asked to listen; slow dashboards dropped. Driven by a real media hub fed
// wire packets (docs/protocol.md §1) through the hub's connection interface.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { createMediaHub, type ConnectionInfo, type MediaConnection, type MediaHub } from '../../src/media/index.js';
import { createLiveFeed, type LiveFeed, type LiveFeedOptions } from '../../src/server/live-feed.js';
import type { LiveServerMessage, LiveTick } from '../../src/server/live-feed-messages.js';

const T0 = Date.parse('2026-01-02T10:00:00.000Z');
const ALICE = '4:+15551234567';
const BOB = '8:acs:resource_bob';

/** 20 ms of a 440 Hz tone at 16 kHz as base64 PCM16LE; amplitude 0 gives digital silence. */
function toneBase64(amplitude: number, frameIndex: number): string {
  const pcm = Buffer.alloc(640);
  for (let i = 0; i < 320; i++) pcm.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 440 * (frameIndex * 320 + i)) / 16000)), i * 2);
  return pcm.toString('base64');
}

function audioData(rawId: string, frameIndex: number, amplitude: number): string {
  const timestamp = new Date(T0 + frameIndex * 20).toISOString();
  return JSON.stringify({ kind: 'AudioData', audioData: { timestamp, participantRawID: rawId, data: toneBase64(amplitude, frameIndex), silent: amplitude === 0 } });
}

/** A media socket as the server would hand it to the hub. */
function mediaSocket(hub: MediaHub): MediaConnection {
  const info: ConnectionInfo = {
    url: '/ws?call=live-feed-test',
    remoteAddress: '127.0.0.1',
    headers: {},
    send: () => true,
    bufferedAmount: () => 0,
    close: () => undefined,
  };
  return hub.connect(info);
}

/** Sends metadata and `frames` frames per participant: Alice speaks a tone, Bob is silent. */
function stream(conn: MediaConnection, frames: number): void {
  const metadata = { kind: 'AudioMetadata', audioMetadata: { subscriptionId: 'sub-1', encoding: 'PCM', sampleRate: 16000, channels: 1, length: 640 } };
  conn.receive(Buffer.from(JSON.stringify(metadata)), false);
  for (let i = 0; i < frames; i++) {
    conn.receive(Buffer.from(audioData(ALICE, i, 8000)), false);
    conn.receive(Buffer.from(audioData(BOB, i, 0)), false);
  }
}

/** A dashboard: collects text messages and binary frames, and waits for the one it needs. */
class Dashboard {
  readonly messages: LiveServerMessage[] = [];
  readonly binary: Buffer[] = [];
  private waiters: Array<{ test: (m: LiveServerMessage) => boolean; resolve: (m: LiveServerMessage) => void }> = [];
  readonly ws: WebSocket;
  readonly closed: Promise<number>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.binary.push(data);
        return;
      }
      const message = JSON.parse(data.toString()) as LiveServerMessage;
      this.messages.push(message);
      for (const w of this.waiters.filter((w) => w.test(message))) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(message);
      }
    });
  }

  next<T extends LiveServerMessage>(test: (m: LiveServerMessage) => boolean): Promise<T> {
    const seen = this.messages.find(test);
    if (seen !== undefined) return Promise.resolve(seen as T);
    return new Promise((resolve) => this.waiters.push({ test, resolve: resolve as (m: LiveServerMessage) => void }));
  }

  /** Resolves with the first tick event that passes `test`. */
  event(test: (e: LiveTick['events'][number]) => boolean): Promise<LiveTick['events'][number]> {
    const has = (m: LiveServerMessage) => m.type === 'tick' && m.events.some(test);
    return this.next<LiveTick>(has).then((m) => m.events.find(test) as LiveTick['events'][number]);
  }
}

describe('live feed', () => {
  let dir: string;
  let hub: MediaHub;
  let feed: LiveFeed;
  let server: Server;
  let url: string;
  const dashboards: Dashboard[] = [];

  async function start(options: Partial<LiveFeedOptions> = {}): Promise<void> {
    hub = createMediaHub({ recordingsDir: dir, reconnectGraceMs: 0 });
    feed = createLiveFeed({ hub, tickMs: 50, ...options });
    server = createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => feed.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`;
  }

  function dashboard(): Dashboard {
    const d = new Dashboard(url);
    dashboards.push(d);
    return d;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acs-live-feed-'));
  });

  afterEach(async () => {
    for (const d of dashboards.splice(0)) d.ws.terminate();
    await feed.close();
    await hub.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends a snapshot first, then levels per participant that rise above silence for the one speaking', async () => {
    await start();
    const d = dashboard();
    const snapshot = await d.next((m) => m.type === 'snapshot');
    assert.equal(snapshot.type === 'snapshot' && snapshot.sessions.length, 0);
    stream(mediaSocket(hub), 50);
    const tick = await d.next<LiveTick>((m) => m.type === 'tick' && m.levels.some((l) => l.tracks.length === 2));
    const tracks = tick.levels[0].tracks;
    const participants = new Map<string, string | undefined>();
    for (const m of d.messages) {
      if (m.type === 'tick') for (const e of m.events) if (e.type === 'participant') participants.set(e.trackId, e.participantRawId);
    }
    const alice = tracks.find((t) => participants.get(t.trackId) === ALICE);
    const bob = tracks.find((t) => participants.get(t.trackId) === BOB);
    assert.ok(alice !== undefined && bob !== undefined, 'both participants were announced and measured');
    assert.ok(alice.rmsDbfs > -20, `Alice speaks a tone at -15 dBFS RMS, got ${alice.rmsDbfs}`);
    assert.equal(alice.speaking, true);
    assert.equal(bob.rmsDbfs, -100);
    assert.equal(bob.speaking, false);
    assert.ok(alice.envelope.length > 0 && alice.envelope.every((v) => v > 0.1 && v < 0.3));
    assert.ok(tick.levels[0].counts.framesReceived > 0);
  });

  it('carries participants, transcript lines, DTMF and session state as events', async () => {
    await start();
    const d = dashboard();
    await d.next((m) => m.type === 'snapshot');
    const conn = mediaSocket(hub);
    stream(conn, 5);
    const transcript = (text: string, status: string) =>
      JSON.stringify({ kind: 'TranscriptionData', transcriptionData: { text, format: 'display', confidence: 0.9, offset: 1200000, duration: 5000000, words: [], participantRawID: ALICE, resultStatus: status } });
    conn.receive(Buffer.from(transcript('hello', 'Intermediate')), false);
    conn.receive(Buffer.from(transcript('Hello there.', 'Final')), false);
    conn.receive(Buffer.from(JSON.stringify({ kind: 'DtmfData', dtmfData: { data: '5' } })), false);
    const participant = await d.event((e) => e.type === 'participant' && e.participantRawId === ALICE);
    assert.equal(participant.type, 'participant');
    const intermediate = await d.event((e) => e.type === 'transcript' && !e.line.final);
    assert.deepEqual(intermediate.type === 'transcript' && intermediate.line, { participantRawId: ALICE, text: 'hello', final: false, offsetMs: 120 });
    const final = await d.event((e) => e.type === 'transcript' && e.line.final);
    assert.equal(final.type === 'transcript' && final.line.text, 'Hello there.');
    const dtmf = await d.event((e) => e.type === 'dtmf');
    assert.equal(dtmf.type === 'dtmf' && dtmf.tone, '5');
    const streaming = await d.event((e) => e.type === 'session' && e.session.state === 'streaming');
    assert.equal(streaming.type, 'session');
    conn.closed(1000, 'call over');
    await d.event((e) => e.type === 'session' && e.session.state === 'ended');
  });

  it('measures levels only while a dashboard watches: the first tick after connecting holds none of the audio before', async () => {
    await start();
    const conn = mediaSocket(hub);
    stream(conn, 250); // five seconds of Alice's tone at -15 dBFS with nobody watching
    const d = dashboard();
    await d.next((m) => m.type === 'snapshot');
    for (let i = 250; i < 300; i++) conn.receive(Buffer.from(audioData(ALICE, i, 100)), false); // then quiet: -53 dBFS
    const tick = await d.next<LiveTick>((m) => m.type === 'tick' && m.levels.some((l) => l.tracks.length > 0));
    const alice = tick.levels[0].tracks.find((t) => t.rmsDbfs > -100);
    assert.ok(alice !== undefined, `Alice's track measured: ${JSON.stringify(tick.levels[0].tracks)}`);
    assert.ok(alice.rmsDbfs < -45 && alice.peakDbfs < -45, `the quiet audio only, got rms ${alice.rmsDbfs} / peak ${alice.peakDbfs} dBFS`);
    assert.equal(alice.frames, 300, 'frames counts every frame, watched or not');
  });

  it('shows the talk-back track as a participant and lines added with addTranscript in the transcript pane', async () => {
    await start();
    const d = dashboard();
    await d.next((m) => m.type === 'snapshot');
    const conn = mediaSocket(hub);
    stream(conn, 5);
    const session = hub.sessions()[0];
    session.addTranscript({ speaker: 'agent', text: 'How can I help?', timelineMs: 40 });
    const line = await d.event((e) => e.type === 'transcript' && e.line.speaker === 'agent');
    assert.deepEqual(line.type === 'transcript' && line.line, { speaker: 'agent', text: 'How can I help?', final: true, offsetMs: 40 });
    session.play({ pcm: new Int16Array(320 * 3).fill(3000), sampleRate: 16000 });
    const talkBack = await d.event((e) => e.type === 'participant' && e.trackId === 'talk-back');
    assert.equal(talkBack.type === 'participant' && talkBack.participantRawId, undefined);
    const late = dashboard();
    const snapshot = await late.next((m) => m.type === 'snapshot');
    assert.ok(snapshot.type === 'snapshot');
    assert.ok(snapshot.sessions[0].participants.some((p) => p.trackId === 'talk-back'));
    assert.deepEqual(snapshot.sessions[0].transcript.map((l) => [l.speaker, l.text]), [['agent', 'How can I help?']]);
  });

  it('gives a dashboard that connects late the transcript and DTMF so far in its snapshot', async () => {
    await start();
    const conn = mediaSocket(hub);
    stream(conn, 5);
    conn.receive(Buffer.from(JSON.stringify({ kind: 'TranscriptionData', transcriptionData: { text: 'Earlier words.', format: 'display', offset: 0, participantRawID: BOB, resultStatus: 'Final' } })), false);
    conn.receive(Buffer.from(JSON.stringify({ kind: 'DtmfData', dtmfData: { data: '9' } })), false);
    const d = dashboard();
    const snapshot = await d.next((m) => m.type === 'snapshot');
    assert.ok(snapshot.type === 'snapshot');
    assert.equal(snapshot.sessions.length, 1);
    assert.deepEqual(snapshot.sessions[0].transcript.map((l) => l.text), ['Earlier words.']);
    assert.equal(snapshot.sessions[0].dtmf, '9');
    assert.deepEqual(snapshot.sessions[0].participants.map((p) => p.participantRawId).sort(), [BOB, ALICE].sort());
  });

  it('puts callback events on the timeline, trimmed to type, call and outcome', async () => {
    await start();
    const d = dashboard();
    await d.next((m) => m.type === 'snapshot');
    feed.callEvent({
      type: 'Microsoft.Communication.MediaStreamingFailed',
      callConnectionId: 'call-1',
      time: '2026-01-02T10:00:01.000Z',
      data: { resultInformation: { code: 500, subCode: 8603, message: 'not able to establish websocket connection' }, mediaStreamingUpdate: { mediaStreamingStatus: 'mediaStreamingFailed', mediaStreamingStatusDetails: 'streamConnectionUnsuccessful' } },
    });
    const event = await d.event((e) => e.type === 'call');
    assert.deepEqual(event.type === 'call' && event.event, {
      type: 'MediaStreamingFailed',
      callConnectionId: 'call-1',
      time: '2026-01-02T10:00:01.000Z',
      detail: '500/8603 · not able to establish websocket connection · mediaStreamingFailed streamConnectionUnsuccessful',
    });
  });

  it('streams one track\'s PCM only to the dashboard that asked to listen', async () => {
    await start();
    const listener = dashboard();
    const other = dashboard();
    await listener.next((m) => m.type === 'snapshot');
    await other.next((m) => m.type === 'snapshot');
    const conn = mediaSocket(hub);
    stream(conn, 20);
    const participant = await listener.event((e) => e.type === 'participant' && e.participantRawId === ALICE);
    assert.ok(participant.type === 'participant');
    listener.ws.send(JSON.stringify({ type: 'listen', sessionId: participant.sessionId, trackId: participant.trackId }));
    const answer = await listener.next((m) => m.type === 'listening');
    assert.deepEqual(answer, { type: 'listening', sessionId: participant.sessionId, trackId: participant.trackId, sampleRate: 16000 });
    for (let i = 20; i < 40; i++) conn.receive(Buffer.from(audioData(ALICE, i, 8000)), false);
    await listener.next((m) => m.type === 'tick' && m.levels.some((l) => l.tracks.some((t) => t.frames >= 25)));
    await other.next((m) => m.type === 'tick' && m.levels.some((l) => l.tracks.some((t) => t.frames >= 25)));
    assert.ok(listener.binary.length > 0, 'the listener got PCM');
    assert.ok(listener.binary.every((b) => b.length === 640), 'one 20 ms frame per binary message');
    assert.equal(other.binary.length, 0, 'nobody else gets audio');
  });

  it('disconnects a dashboard that stays over its send budget, and counts it', async () => {
    // A budget below zero makes every dashboard count as behind: the drop path without filling a socket.
    await start({ maxBufferedBytes: -1, maxSkippedTicks: 2 });
    const d = dashboard();
    await d.next((m) => m.type === 'snapshot');
    stream(mediaSocket(hub), 50);
    await d.closed;
    assert.equal(feed.stats().droppedSlowClients, 1);
    assert.ok(feed.stats().skipped >= 3);
  });
});
