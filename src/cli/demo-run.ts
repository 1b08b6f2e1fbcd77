// The demo's orchestration: emulator + media server + the official SDK, one scripted call end to end.
// It is the README's first command, so every step reports progress and every failure says which link broke.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { createEmulator } from '../emulator/index.js';
import { createMediaServer, type MediaSession, type SessionSummary } from '../server/index.js';
import { createCallClient, createStreamingCall, hangUpCall, stopStreaming } from '../calls/index.js';
import { DEMO_CALL_MS, DEMO_SCENARIO } from './demo-scenario.js';

/** What the demo needs to know; the CLI fills it from flags. */
export interface DemoOptions {
  /** Where recordings go. @default ./recordings */
  recordingsDir: string;
  /** Emulator speed factor (1 = real time). @default 1 */
  speed: number;
  /** Media server port (0 = any free port). @default 0 */
  port: number;
  /** Leave the server (and its dashboard) running after the call. @default false */
  keepOpen: boolean;
  /** Where progress lines go. */
  progress: (line: string, final?: boolean) => void;
  logger?: Logger;
}

/** The emulator's record of what the app played into the call. */
export interface PlaybackRecord {
  outboundFrames: number;
  stopAudioReceived: number;
  violations: number;
  /** Talk-back the caller heard, and what StopAudio or the end of the call dropped (the emulator's playout model). */
  heardMs: number;
  droppedMs: number;
  wavPath: string | undefined;
}

/** What the demo reports at the end. */
export interface DemoResult {
  callConnectionId: string;
  session: SessionSummary;
  transcriptLines: number;
  dtmf: string[];
  greeting: { framesSent: number; status: string; bargeInAtMs: number | undefined };
  playback: PlaybackRecord;
  dashboardUrl: string;
  close: () => Promise<void>;
}

/** A failed link in the demo chain, named for the person reading the error. */
export class DemoError extends Error {
  constructor(
    readonly step: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${step}: ${message}`, options);
    this.name = 'DemoError';
  }
}

const GREETING_WAV = fileURLToPath(new URL('../../fixtures/greeting/greeting.wav', import.meta.url));
/** A participant frame louder than this while the greeting plays counts as barge-in. */
const BARGE_IN_DBFS = -40;

/** Runs one step of a demo; a failure becomes a DemoError naming it. */
export async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (cause instanceof DemoError) throw cause;
    throw new DemoError(name, (cause as Error)?.message ?? String(cause), { cause });
  }
}

/** Rejects with "no <what> within N s" when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs the whole demo: returns its result, or throws a DemoError naming the broken link. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const logger = options.logger ?? pino({ level: 'warn' });
  const recordingsDir = resolve(options.recordingsDir);
  await mkdir(recordingsDir, { recursive: true });
  const wallMs = (callMs: number) => callMs / options.speed;

  const server = createMediaServer({ host: '127.0.0.1', port: options.port, recordingsDir, logger });
  const emulator = createEmulator({ port: 0, speed: options.speed, scenario: DEMO_SCENARIO, logger });
  const closeAll = async () => {
    await Promise.allSettled([emulator.close(), server.close()]);
  };
  try {
    const { url: serverUrl, wsUrl } = await step('starting the media server', () => server.listen());
    const { connectionString } = await step('starting the emulator', () => emulator.listen());
    options.progress(`media server ${serverUrl}  ·  emulator ${connectionString.split(';')[0]}`, true);

    // The audio socket's session; the transcription socket (no audio format) joins it or, when it connects
    // first, stands apart, so transcripts are counted on every session of this one-call demo.
    let transcriptLines = 0;
    const countFinal = (packet: { resultStatus: string }) => {
      if (packet.resultStatus === 'Final') transcriptLines += 1;
    };
    const sessionReady = new Promise<MediaSession>((resolveSession) =>
      server.on('session', (session) => {
        session.on('transcript', countFinal);
        if (session.sampleRate !== undefined) resolveSession(session);
      }),
    );
    const client = createCallClient(connectionString);
    const call = await step('creating the call through the SDK', () =>
      createStreamingCall(client, {
        to: DEMO_SCENARIO.participants[0].rawId.replace(/^4:/, ''),
        from: '+15550000000',
        callbackUrl: `${serverUrl}/api/callbacks`,
        streamUrl: `${wsUrl}?call=demo`,
        transcriptionUrl: `${wsUrl}?call=demo&feed=transcription`,
        channel: 'unmixed',
        format: 'pcm16k',
        bidirectional: true,
        dtmf: true,
        startNow: true,
        transcriptionLocale: 'en-US',
      }),
    );
    const callConnectionId = call.callConnectionId ?? '';
    options.progress(`call ${callConnectionId} created; waiting for the media stream`, true);

    const session = await step('waiting for the media stream', () =>
      withTimeout(sessionReady, 15_000, 'WebSocket connection from the emulator'),
    );
    const dtmf: string[] = [];
    session.on('dtmf', (packet: { tone: string }) => dtmf.push(packet.tone));

    // The greeting plays as soon as audio flows; the first participant who speaks over it cuts it off (barge-in).
    const greeting = await step('playing the greeting', async () => {
      await withTimeout(new Promise((r) => session.once('audio', r)), 10_000, 'audio frame');
      return session.play({ wavPath: GREETING_WAV });
    });
    let bargeInAtMs: number | undefined;
    let greetingDone = false;
    void greeting.done.then(() => (greetingDone = true));

    const callOver = new Promise<void>((resolveCall) => {
      session.on('audio', function watch(frame: { timelineMs: number; levelDbfs: number; silent: boolean; filled: boolean }) {
        if (!greetingDone && bargeInAtMs === undefined && !frame.filled && !frame.silent && frame.levelDbfs > BARGE_IN_DBFS) {
          bargeInAtMs = frame.timelineMs;
          session.stopAudio();
        }
        const seconds = Math.floor(frame.timelineMs / 1000);
        if (frame.timelineMs % 1000 === 0) {
          options.progress(
            `streaming ${seconds}/${DEMO_CALL_MS / 1000} s · ${session.summary().participants.length} participants · ` +
              `${bargeInAtMs === undefined ? (greetingDone ? 'greeting done' : 'greeting playing') : `barge-in at ${(bargeInAtMs / 1000).toFixed(1)} s`}`,
          );
        }
        if (frame.timelineMs >= DEMO_CALL_MS - 20) {
          session.off('audio', watch);
          resolveCall();
        }
      });
    });
    await step('streaming the call', () => withTimeout(callOver, wallMs(DEMO_CALL_MS) + 20_000, 'end of the scripted call'));
    const greetingResult = await greeting.done;

    const ended = new Promise<SessionSummary>((r) => session.once('end', r));
    await step('stopping streaming through the SDK', () => stopStreaming(client, callConnectionId, { context: 'demo-stop' }));
    await step('hanging up through the SDK', () => hangUpCall(client, callConnectionId));
    const summary = await step('waiting for the session to end', () => withTimeout(ended, 15_000, 'session end'));
    const record = emulator.getCall(callConnectionId);
    const stats = record?.media;
    const playback: PlaybackRecord = {
      outboundFrames: stats?.outboundFramesReceived ?? 0,
      stopAudioReceived: stats?.outboundStopAudioReceived ?? 0,
      violations: stats?.outboundViolations ?? 0,
      heardMs: stats?.outboundHeardMs ?? 0,
      droppedMs: stats?.outboundDroppedMs ?? 0,
      wavPath: stats?.playbackWavPath,
    };
    options.progress('call ended', true);

    const result: DemoResult = {
      callConnectionId,
      session: summary,
      transcriptLines,
      dtmf,
      greeting: { framesSent: greetingResult.framesSent, status: greetingResult.status, bargeInAtMs },
      playback,
      dashboardUrl: `${serverUrl}/`,
      close: closeAll,
    };
    if (!options.keepOpen) await emulator.close();
    return result;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The summary table the demo prints. */
export function formatDemoSummary(result: DemoResult): string {
  const s = result.session;
  const rows = s.participants.map((p) => [
    p.participantRawId ?? p.trackId,
    p.seconds.toFixed(2),
    String(p.frames),
    p.file ? join(s.recordingDir ?? '', p.file) : '-',
  ]);
  const header = ['participant', 'seconds', 'frames', 'recording'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  const playback = result.playback;
  return [
    '',
    line(header),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map(line),
    '',
    `frames received ${s.counts.framesReceived} · gaps filled ${s.counts.gapsFilled} · duplicates ${s.counts.duplicates} · late ${s.counts.late}`,
    `transcript lines ${result.transcriptLines} (final) · DTMF ${result.dtmf.join(' ') || '-'}`,
    `greeting ${result.greeting.status} after ${result.greeting.framesSent} frames` +
      (result.greeting.bargeInAtMs !== undefined ? ` (barge-in at ${(result.greeting.bargeInAtMs / 1000).toFixed(2)} s)` : ''),
    `emulator heard ${playback.outboundFrames} talk-back frames, ${playback.stopAudioReceived} StopAudio, ${playback.violations} violations` +
      (playback.wavPath ? `\n  what the app said: ${playback.wavPath}` : ''),
    `recordings: ${s.recordingDir ?? '-'}  (mixdown.wav, transcript.jsonl, events.jsonl, session.json)`,
  ].join('\n');
}
