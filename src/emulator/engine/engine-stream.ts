// One call's media stream, as ACS runs it (docs/protocol.md §1–3): connect with a bearer token, AudioMetadata first,
// then one 20 ms AudioData per tick of the engine's scheduler (mixed: one frame; unmixed: one per participant), DTMF
// tones at their time, transcription results on their own socket, the app's audio recorded when bidirectional, and
// faults on demand. Frame n of the call is stamped start + n × 20 ms whatever the wall clock did.
// What a frame holds is built in frame-packets.ts (and the unmixed silent-frame policy is documented there).
//
// Lifecycle: events.connected() on the first socket; interrupted() / reestablished() around a reconnect (a drop, or
// the app closing the socket); the stream ends with exactly one of failed(detail) or ended().
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { Logger } from 'pino';
import { frameBytesFor, serializePacket } from '../../protocol/index.js';
import type {
  AudioSourceSpec,
  CallAudioListener,
  EngineStream,
  EngineStreamStats,
  FaultSpec,
  StreamEvents,
  StreamSpec,
} from '../media-engine-contract.js';
import { buildCallAudio, type CallAudio } from './call-audio.js';
import { createCallAudioTap } from './call-audio-tap.js';
import type { ClipLoader } from './clips.js';
import { connectSocket } from './connect-socket.js';
import { createFramePackets, type FramePackets } from './frame-packets.js';
import { createOutbox } from './outbox.js';
import { createJitterHistogram, type Pacer } from './pacer.js';
import { createPlaybackRecorder, type PlaybackRecorder, type PlaybackViolation } from './playback.js';
import { openTranscriptionChannel, type TranscriptionChannel } from './transcription-channel.js';

/** What every stream of an engine shares. */
export interface StreamContext {
  pacer: Pacer;
  loader: ClipLoader;
  logger: Logger;
  /** Epoch ms of the call clock. */
  now: () => number;
  speed: number;
  unmixedSilentFrames: 'send' | 'omit';
  reconnectAfterMs: number;
  reconnectAttempts: number;
  handshakeTimeoutMs: number;
  playbackAllowanceMs: number;
  playbackDir: () => Promise<string>;
  random: () => number;
  /** Observer of what the app sends (MediaEngineOptions.onAppMessage). */
  onAppMessage: ((callConnectionId: string, data: Buffer) => void) | undefined;
  onEnded(stream: LocalEngineStream): void;
}

/** The engine's stream, with a few more figures than the contract's. */
export interface LocalEngineStream extends EngineStream {
  stats(): LocalEngineStreamStats;
  /** Resolves once the stream has ended (failed, stopped, hung up), with nothing more to send. */
  readonly done: Promise<void>;
}

/** Stream figures: the contract's, plus connection and violation details. */
export interface LocalEngineStreamStats extends EngineStreamStats {
  state: StreamState;
  /** Media sockets opened (1 + reconnects). */
  connections: number;
  /** Frames (per participant tick) not sent because no socket was open (between a drop and the reconnect). */
  framesLost: number;
  outboundViolationsByKind: Record<PlaybackViolation, number>;
  transcriptionFailure: string | undefined;
}

/** Where a stream is in its life. */
export type StreamState = 'preparing' | 'connecting' | 'streaming' | 'reconnecting' | 'ended';

const FRAME_MS = 20;
const CLOSE_WAIT_MS = 1000;
/** Above this many unsent bytes on a media socket, frames are dropped rather than queued (about 40 s of audio). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** What the malformed fault sends: a packet cut short, not valid JSON. */
export const MALFORMED_PACKET = '{"kind":"AudioData","audioData":{"timestamp":"';

/** Starts streaming `spec`; progress is reported through `events`. */
export function startEngineStream(spec: StreamSpec, listener: StreamEvents, ctx: StreamContext): LocalEngineStream {
  const log = ctx.logger.child({ callConnectionId: spec.callConnectionId });
  const events = guardEvents(listener, log);
  const outbox = createOutbox(ctx.random);
  const jitter = createJitterHistogram();
  const framesSent: Record<string, number> = {};
  const faults: Array<{ atMs: number; fault: FaultSpec }> = [];
  const scheduledFaults = [...(spec.scenario.faults ?? [])].sort((a, b) => a.atMs - b.atMs);
  const totalFrames =
    spec.scenario.durationMs === undefined ? undefined : Math.ceil(spec.scenario.durationMs / FRAME_MS);
  const playback: PlaybackRecorder = createPlaybackRecorder({
    callConnectionId: spec.callConnectionId,
    sampleRate: spec.sampleRate,
    dir: ctx.playbackDir,
    bidirectional: spec.bidirectional,
    allowanceMs: ctx.playbackAllowanceMs,
    speed: ctx.speed,
    logger: log,
  });

  const tap = createCallAudioTap(spec.sampleRate);
  /** Raw IDs of the call's participants, in CallAudio order (the tap's view). */
  const rawIds: string[] = [];
  let state: StreamState = 'preparing';
  let audio: CallAudio | undefined;
  let resolveAudio: (built: CallAudio | undefined) => void = () => undefined;
  const audioReady = new Promise<CallAudio | undefined>((resolve) => (resolveAudio = resolve));
  let packets: FramePackets | undefined;
  let socket: WebSocket | undefined;
  /** The TCP socket under `socket`: corked while a frame's messages are sent, so they leave in one write. */
  let transport: Socket | undefined;
  let connectingTransport: Socket | undefined;
  let transcription: TranscriptionChannel | undefined;
  let firstTick = 0;
  let epochMs = 0;
  let nextFrame = 0;
  let nextScheduledFault = 0;
  let connections = 0;
  let framesLost = 0;
  let dtmfSent = 0;
  let refusing = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let ending: Promise<void> | undefined;

  const client = { onTick };
  const stream: LocalEngineStream = { spec, stop, inject, stats, done, join, leave, mute, listen };
  prepareAndConnect().catch((error: Error) => fail(`media stream setup failed: ${error.message}`));
  return stream;

  async function prepareAndConnect(): Promise<void> {
    try {
      audio = await buildCallAudio(spec.scenario, ctx.loader, { sampleRate: spec.sampleRate });
    } catch (error) {
      resolveAudio(undefined);
      return fail(`cannot prepare the call's audio: ${(error as Error).message}`);
    }
    for (const participant of audio.participants) rawIds.push(participant.rawId);
    resolveAudio(audio);
    if (state === 'ended') return;
    packets = createFramePackets(audio, {
      sampleRate: spec.sampleRate,
      channel: spec.channel,
      dtmf: spec.dtmf,
      unmixedSilentFrames: ctx.unmixedSilentFrames,
    });
    if (spec.channel === 'mixed') framesSent.mixed = 0;
    else for (const participant of audio.participants) framesSent[participant.rawId] = 0;
    if (scheduledFaults.some((entry) => entry.atMs <= 0 && entry.fault.type === 'refuse')) {
      return inject({ type: 'refuse' });
    }
    if (spec.transcription !== undefined) {
      transcription = openTranscriptionChannel(spec, {
        handshakeTimeoutMs: ctx.handshakeTimeoutMs,
        logger: log,
        closeSocket,
      });
    }
    state = 'connecting';
    let opened: WebSocket;
    try {
      opened = await connect();
    } catch (error) {
      return fail((error as Error).message);
    }
    if (state !== 'connecting') {
      opened.terminate();
      return;
    }
    epochMs = ctx.now();
    // Paced before the listener hears of it: a listener that stops the stream at once also unpaces it.
    firstTick = ctx.pacer.add(client);
    attach(opened);
    events.connected();
  }

  async function connect(): Promise<WebSocket> {
    if (refusing) throw new Error(`the stream connection to ${spec.transportUrl} was refused (refuse fault)`);
    const opened = await connectSocket({
      url: spec.transportUrl,
      token: spec.token,
      callConnectionId: spec.callConnectionId,
      correlationId: spec.correlationId,
      handshakeTimeoutMs: ctx.handshakeTimeoutMs,
      onTransport: setConnectingTransport,
    });
    connections++;
    return opened;
  }

  function setConnectingTransport(opened: Socket): void {
    connectingTransport = opened;
  }

  /** A new socket: listeners once per connection, AudioMetadata first (again after a reconnect). */
  function attach(opened: WebSocket): void {
    socket = opened;
    transport = connectingTransport;
    connectingTransport = undefined;
    state = 'streaming';
    opened.on('message', onMessage);
    opened.on('close', onClose);
    opened.on('error', onSocketError);
    if (opened.readyState !== opened.OPEN) {
      // Closed between the handshake and now, before the close listener was there.
      interrupt(ctx.reconnectAfterMs);
      return;
    }
    opened.send(
      serializePacket({
        kind: 'AudioMetadata',
        subscriptionId: spec.subscriptionId,
        encoding: 'PCM',
        sampleRate: spec.sampleRate,
        channels: 1,
        length: frameBytesFor(spec.sampleRate),
      }),
    );
  }

  function onMessage(data: Buffer): void {
    if (ctx.onAppMessage !== undefined) ctx.onAppMessage(spec.callConnectionId, data);
    playback.accept(data);
    tap.acceptApp(data);
  }

  /** An answered addParticipant: the callee's clip (a fixture in another voice by default) from the next frame. */
  async function join(rawId: string, say?: AudioSourceSpec): Promise<void> {
    const built = await audioReady;
    if (built === undefined || state === 'ended') return;
    const clip = await ctx.loader.load(say ?? { type: 'fixture' }, spec.sampleRate, built.participants.length);
    // The load awaited: the stream may have ended meanwhile.
    if ((state as StreamState) === 'ended') return;
    built.join(rawId, clip, nextFrame);
    rawIds.push(rawId);
    if (spec.channel === 'unmixed') framesSent[rawId] ??= 0;
  }

  function leave(rawId: string): void {
    for (const participant of audio?.participants ?? []) if (participant.rawId === rawId) participant.left = true;
  }

  function mute(rawId: string): void {
    for (const participant of audio?.participants ?? []) if (participant.rawId === rawId) participant.muted = true;
  }

  function listen(listener: CallAudioListener): () => void {
    return tap.add(listener);
  }

  function onClose(this: WebSocket, code: number): void {
    if (this !== socket || state !== 'streaming') return;
    log.warn({ code }, 'the app closed the media socket; reconnecting as ACS does');
    interrupt(ctx.reconnectAfterMs);
  }

  function onSocketError(error: Error): void {
    log.warn({ err: error }, 'media socket error');
  }

  function onTick(tick: number, lateMs: number): void {
    if (state === 'ended') {
      ctx.pacer.remove(client);
      return;
    }
    const frame = tick - firstTick;
    nextFrame = frame;
    jitter.record(lateMs);
    if (totalFrames !== undefined && frame >= totalFrames) {
      log.info({ frames: totalFrames }, 'scenario duration reached: the call hangs up');
      events.hangupRequested();
      void end();
      return;
    }
    while (
      nextScheduledFault < scheduledFaults.length &&
      scheduledFaults[nextScheduledFault].atMs < (frame + 1) * FRAME_MS
    ) {
      inject(scheduledFaults[nextScheduledFault++].fault);
    }
    // A fault may have ended the stream (hangup, fail) or dropped its socket (drop, refuse).
    const now = state as StreamState;
    if (now === 'ended') return;
    if (now === 'streaming') {
      outbox.push(frame, packets!.build(frame, epochMs));
      flush(frame);
    } else {
      framesLost += spec.channel === 'mixed' ? 1 : audio!.participants.length;
    }
    // The call goes on while the app's socket is down: a recording still hears it.
    if (tap.active) tap.tick(rawIds, packets!.render(frame));
    nextFrame = frame + 1;
    if (transcription !== undefined) {
      for (const event of audio!.transcriptEventsAt(frame, spec.transcription!.intermediateResults)) {
        transcription.send(event);
      }
    }
  }

  function flush(frame: number): void {
    const ws = socket;
    if (ws === undefined || ws.readyState !== ws.OPEN) return;
    const due = outbox.take(frame);
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      // The app does not read: ACS cannot queue live audio forever either, so these frames are lost (and counted).
      framesLost += due.length;
      return;
    }
    transport?.cork();
    for (const message of due) {
      ws.send(message.text);
      if (message.audio) framesSent[message.key] = (framesSent[message.key] ?? 0) + 1;
      else dtmfSent++;
    }
    transport?.uncork();
  }

  /** The socket is gone (dropped, or closed by the app): ACS reports the interruption and reconnects. */
  function interrupt(reconnectAfterMs: number): void {
    const old = socket;
    socket = undefined;
    transport = undefined;
    state = 'reconnecting';
    outbox.clear();
    old?.terminate();
    events.interrupted();
    scheduleReconnect(reconnectAfterMs, 1);
  }

  function scheduleReconnect(afterMs: number, attempt: number): void {
    reconnectTimer = setTimeout(() => {
      reconnect(attempt).catch((error: Error) => fail(`media stream reconnect failed: ${error.message}`));
    }, afterMs / ctx.speed);
  }

  async function reconnect(attempt: number): Promise<void> {
    reconnectTimer = undefined;
    if (state !== 'reconnecting') return;
    let opened: WebSocket;
    try {
      opened = await connect();
    } catch (error) {
      if (refusing || attempt >= ctx.reconnectAttempts) {
        return fail(`could not reconnect the media stream: ${(error as Error).message}`);
      }
      log.warn({ attempt, err: error }, 'reconnect failed; trying again');
      return scheduleReconnect(ctx.reconnectAfterMs, attempt + 1);
    }
    if (state !== 'reconnecting') {
      opened.terminate();
      return;
    }
    attach(opened);
    log.info({ connections }, 'media stream reestablished');
    events.reestablished();
  }

  function inject(fault: FaultSpec): void {
    if (state === 'ended') return;
    faults.push({ atMs: nextFrame * FRAME_MS, fault });
    log.info({ fault }, 'fault injected');
    if (outbox.apply(fault, nextFrame)) return;
    switch (fault.type) {
      case 'drop':
        if (state === 'streaming') interrupt(fault.reconnectAfterMs ?? ctx.reconnectAfterMs);
        return;
      case 'refuse':
        // Every connection from now on is refused: before the first, streaming fails; on a live stream the
        // socket drops and the reconnect is refused, so the call reports the failure.
        refusing = true;
        if (state === 'preparing' || state === 'connecting') {
          fail(`the stream connection to ${spec.transportUrl} was refused (refuse fault)`);
        } else if (state === 'streaming') {
          interrupt(0);
        }
        return;
      case 'malformed':
        if (socket !== undefined && socket.readyState === socket.OPEN) socket.send(MALFORMED_PACKET);
        return;
      case 'hangup':
        events.hangupRequested();
        void end();
        return;
      case 'fail':
        fail('media streaming failed (fail fault)');
        return;
      default:
        return;
    }
  }

  function fail(detail: string): void {
    if (state === 'ended') return;
    log.warn({ detail }, 'media streaming failed');
    void end(detail);
  }

  function stop(): Promise<void> {
    return end();
  }

  /** Ends the stream once: nothing more is sent, sockets close (1000, or 1011 on failure), one final event. */
  function end(failure?: string): Promise<void> {
    if (ending !== undefined) return ending;
    state = 'ended';
    ctx.pacer.remove(client);
    if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
    outbox.clear();
    const ws = socket;
    socket = undefined;
    if (failure !== undefined) events.failed(failure);
    ending = (async () => {
      await Promise.all([
        ws === undefined ? undefined : closeSocket(ws, failure === undefined ? 1000 : 1011),
        transcription?.close(),
        playback.close(),
      ]);
      if (failure === undefined) events.ended();
      ctx.onEnded(stream);
      resolveDone();
    })();
    return ending;
  }

  function stats(): LocalEngineStreamStats {
    const back = playback.stats();
    return {
      framesSent: { ...framesSent },
      dtmfSent,
      transcriptionPacketsSent: transcription?.packetsSent ?? 0,
      outboundFramesReceived: back.framesReceived,
      outboundStopAudioReceived: back.stopAudioReceived,
      outboundViolations: back.violations,
      outboundStopAudio: back.stopAudio,
      outboundHeardMs: back.heardMs,
      outboundQueuedMs: back.queuedMs,
      outboundDroppedMs: back.droppedMs,
      playbackWavPath: back.wavPath,
      faults: faults.map((entry) => ({ ...entry })),
      pacing: jitter.stats(),
      state,
      connections,
      framesLost,
      outboundViolationsByKind: back.violationsByKind,
      transcriptionFailure: transcription?.failure,
    };
  }
}

/** Closes a socket with `code`, waiting for the close handshake a moment before cutting it. */
export async function closeSocket(ws: WebSocket, code = 1000): Promise<void> {
  if (ws.readyState === ws.CLOSED) return;
  if (ws.readyState !== ws.OPEN) {
    ws.terminate();
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, CLOSE_WAIT_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(code);
  });
}

/** The control plane's listener, guarded: a throwing callback is logged and never breaks the stream. */
function guardEvents(listener: StreamEvents, log: Logger): StreamEvents {
  function call(name: keyof StreamEvents, run: () => void): void {
    try {
      run();
    } catch (error) {
      log.error({ err: error, event: name }, 'a stream event listener threw');
    }
  }
  return {
    connected: () => call('connected', () => listener.connected()),
    failed: (detail) => call('failed', () => listener.failed(detail)),
    interrupted: () => call('interrupted', () => listener.interrupted()),
    reestablished: () => call('reestablished', () => listener.reestablished()),
    hangupRequested: () => call('hangupRequested', () => listener.hangupRequested()),
    ended: () => call('ended', () => listener.ended()),
  };
}
