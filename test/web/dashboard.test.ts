// The dashboard in a real browser (Debian's chromium through playwright-core): a scripted two-party call streams
// speech fixtures into the media server; the page shows both participants with rising levels, the transcript,
// then the finished call among the recordings with playable WAVs of the right length.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { serializePacket } from '../../src/protocol/index.js';
import { startDashboardServer, type DashboardServer } from './dashboard-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const ALICE = '4:+15551234567';
const BOB = '8:acs:resource_bob';
const FRAME_BYTES = 640;

/** PCM16 of a 16 kHz speech fixture (its data chunk). */
async function fixturePcm(name: string): Promise<Buffer> {
  const wav = await readFile(join('fixtures', 'speech', `${name}.wav`));
  let at = 12;
  while (at + 8 <= wav.length) {
    const size = wav.readUInt32LE(at + 4);
    if (wav.toString('latin1', at, at + 4) === 'data') return wav.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size & 1);
  }
  throw new Error(`fixtures/speech/${name}.wav has no data chunk`);
}

/** Seconds of audio in a WAV file, from its header (16-bit mono). */
async function wavSeconds(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    let at = 12;
    let byteRate = 0;
    while (at + 8 <= bytesRead) {
      const id = head.toString('latin1', at, at + 4);
      const size = head.readUInt32LE(at + 4);
      if (id === 'fmt ') byteRate = head.readUInt32LE(at + 16);
      if (id === 'data') return size / byteRate;
      at += 8 + size + (size & 1);
    }
    throw new Error(`${path}: no data chunk`);
  } finally {
    await handle.close();
  }
}

/** Streams two participants' speech as ACS would (docs/protocol.md §1), 20 ms frames paced at twice real time. */
async function streamCall(url: string, frames: number, transcripts: Array<{ rawId: string; text: string }>): Promise<void> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const [alice, bob] = await Promise.all([fixturePcm('en-us-male'), fixturePcm('en-gb-female')]);
  const t0 = Date.now();
  ws.send(serializePacket({ kind: 'AudioMetadata', subscriptionId: 'dashboard-test-sub', encoding: 'PCM', sampleRate: 16000, channels: 1, length: FRAME_BYTES }));
  for (let i = 0; i < frames; i++) {
    const timestamp = new Date(t0 + i * 20).toISOString();
    for (const [rawId, pcm] of [[ALICE, alice], [BOB, bob]] as const) {
      const at = (i * FRAME_BYTES) % (pcm.length - FRAME_BYTES);
      const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset + at, pcm.byteOffset + at + FRAME_BYTES));
      ws.send(serializePacket({ kind: 'AudioData', timestamp, timestampMs: t0 + i * 20, participantRawID: rawId, silent: false, samples }));
    }
    if (i === Math.floor(frames / 3)) {
      for (const t of transcripts) {
        const line = { kind: 'TranscriptionData' as const, format: 'display', confidence: 0.93, offsetTicks: 0n, durationTicks: undefined, words: [], participantRawID: t.rawId, extra: {} };
        ws.send(serializePacket({ ...line, text: t.text.split(' ').slice(0, 2).join(' '), resultStatus: 'Intermediate' }));
        ws.send(serializePacket({ ...line, text: t.text, resultStatus: 'Final' }));
      }
      ws.send(serializePacket({ kind: 'DtmfData', tone: '4', data: '4', timestamp: undefined, timestampMs: undefined, participantRawID: ALICE }));
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  ws.close(1000, 'call over');
  await new Promise((resolve) => ws.once('close', resolve));
}

describe('dashboard', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)` }, () => {
  let dir: string;
  let server: DashboardServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'ignore' });
    dir = await mkdtemp(join(tmpdir(), 'acs-dashboard-'));
    server = await startDashboardServer(join(dir, 'recordings'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => console.error('dashboard page error:', err));
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows a live call, then its recordings with playable WAVs of the right length', async () => {
    await page.goto(server.httpUrl);
    await page.waitForSelector('[data-connected="true"]');

    const transcripts = [
      { rawId: ALICE, text: "Hi, I'm calling about my order from last week." },
      { rawId: BOB, text: 'Certainly, let me look that up for you.' },
    ];
    const call = streamCall(server.mediaUrl, 250, transcripts);

    // Each participant appears with a level above silence.
    for (const rawId of [ALICE, BOB]) {
      await page.waitForFunction(
        (id) => Array.from(document.querySelectorAll<HTMLElement>('[data-participant]')).some((el) => el.dataset.participant === id && Number(el.dataset.levelDbfs) > -60),
        rawId,
      );
    }
    // Final transcript lines replace the intermediate ones.
    for (const t of transcripts) {
      await page.locator('.transcript-line.final', { hasText: t.text }).waitFor();
    }
    assert.equal(await page.locator('.transcript-line.intermediate').count(), 0);
    await page.locator('[data-dtmf="4"]').waitFor();
    // Four seconds of waveform on screen before the picture.
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLElement>('[data-frames]')).every((el) => Number(el.dataset.frames) >= 200));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    await call;
    // The session ends and shows up among the recordings, each track and the mix playable.
    const recording = page.locator('[data-recording]').first();
    await recording.waitFor();
    const sessionId = await recording.getAttribute('data-recording');
    const sessions = (await (await fetch(`${server.httpUrl}api/recordings`)).json()) as { recordings: Array<{ dir: string; session: { id: string } }> };
    const entry = sessions.recordings.find((r) => r.session.id === sessionId);
    assert.ok(entry !== undefined, 'the recording is listed by the API');
    const audios = recording.locator('audio');
    assert.equal(await audios.count(), 3, 'two tracks and the mix');
    const mix = recording.locator('tr[data-file="mixdown.wav"] audio');
    const seconds = await mix.evaluate(
      (el: HTMLAudioElement) =>
        new Promise<number>((resolve) => {
          if (el.readyState >= 1) resolve(el.duration);
          else el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true });
        }),
    );
    const expected = await wavSeconds(join(server.recordingsDir, entry.dir, 'mixdown.wav'));
    assert.ok(Math.abs(seconds - expected) <= 0.02, `the browser reads ${seconds} s, the WAV holds ${expected} s`);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-recordings.png'), fullPage: true });
  });
});
