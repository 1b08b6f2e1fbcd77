// One call's media stream, as ACS runs it (docs/protocol.md §1–3): connect with a bearer token, AudioMetadata first,
// then one 20 ms AudioData per tick of the engine's scheduler (mixed: one frame; unmixed: one per participant), DTMF
// tones at their time, transcription results on their own socket, the app's audio recorded when bidirectional, and
// faults on demand. Frame n of the call is stamped start + n × 20 ms whatever the wall clock did.
// This file ticks; the socket and its reconnects are media-socket.ts, faults stream-faults.ts, and what a frame holds
// frame-packets.ts (where the unmixed silent-frame policy is documented).
//
// Lifecycle: events.connected() on the first socket; interrupted() / reestablished() around a reconnect (a drop, or
// the app closing the socket); the stream ends with exactly one of failed(detail) or ended().
import type { Logger } from 'pino';
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
import { createFramePackets, type FramePackets } from './frame-packets.js';
import { closeSocket, MediaSocket } from './media-socket.js';
import { createOutbox } from './outbox.js';
import { createJitterHistogram, type Pacer } from './pacer.js';
import { createPlaybackRecorder, type PlaybackRecorder, type PlaybackViolation } from './playback.js';
import { StreamFaults } from './stream-faults.js';
import { openTranscriptionChannel, type TranscriptionChannel } from './transcription-channel.js';
import { FRAME_MS } from '../../audio/index.js';

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


/** Starts streaming `spec`; progress is reported through `events`. */
export function startEngineStream(spec: StreamSpec, listener: StreamEvents, ctx: StreamContext): LocalEngineStream {
  const log = ctx.logger.child({ callConnectionId: spec.callConnectionId });
  const events = guardEvents(listener, log);
  const outbox = createOutbox(ctx.random);
  const jitter = createJitterHistogram();
  const framesSent: Record<string, number> = {};
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
  const socket = new MediaSocket({
    spec,
    handshakeTimeoutMs: ctx.handshakeTimeoutMs,
    reconnectAfterMs: ctx.reconnectAfterMs,
    reconnectAttempts: ctx.reconnectAttempts,
    speed: ctx.speed,
    logger: log,
    events: {
      message: onMessage,
      interrupted() {
        outbox.clear();
        events.interrupted();
      },
      reestablished: () => events.reestablished(),
      failed: fail,
    },
  });
  const faults = new StreamFaults(
    spec.scenario.faults,
    {
      outbox,
      socket,
      reconnectAfterMs: ctx.reconnectAfterMs,
      transportUrl: spec.transportUrl,
      ended: () => ended,
      hangUp() {
        events.hangupRequested();
        void end();
      },
      fail,
    },
    log,
  );

  const tap = createCallAudioTap(spec.sampleRate);
  /** Raw IDs of the call's participants, in CallAudio order (the tap's view). */
  const rawIds: string[] = [];
  let ended = false;
  let audio: CallAudio | undefined;
  let resolveAudio: (built: CallAudio | undefined) => void = () => undefined;
  const audioReady = new Promise<CallAudio | undefined>((resolve) => (resolveAudio = resolve));
  let packets: FramePackets | undefined;
  let transcription: TranscriptionChannel | undefined;
  let firstTick = 0;
  let epochMs = 0;
  let nextFrame = 0;
  let framesLost = 0;
  let dtmfSent = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let ending: Promise<void> | undefined;

  const client = { onTick };
  const inject = (fault: FaultSpec): void => faults.inject(fault, nextFrame);
  const stream: LocalEngineStream = { spec, stop, inject, stats, done, join, leave, mute, listen };
  prepareAndConnect().catch((error: Error) => fail(`media stream setup failed: ${error.message}`));
  return stream;

  function state(): StreamState {
    const { phase } = socket;
    return ended || phase === 'closed' ? 'ended' : phase === 'idle' ? 'preparing' : phase === 'open' ? 'streaming' : phase;
  }

  async function prepareAndConnect(): Promise<void> {
    try {
      audio = await buildCallAudio(spec.scenario, ctx.loader, { sampleRate: spec.sampleRate });
    } catch (error) {
      resolveAudio(undefined);
      return fail(`cannot prepare the call's audio: ${(error as Error).message}`);
    }
    for (const participant of audio.participants) rawIds.push(participant.rawId);
    resolveAudio(audio);
    if (ended) return;
    packets = createFramePackets(audio, {
      sampleRate: spec.sampleRate,
      channel: spec.channel,
      dtmf: spec.dtmf,
      unmixedSilentFrames: ctx.unmixedSilentFrames,
    });
    if (spec.channel === 'mixed') framesSent.mixed = 0;
    else for (const participant of audio.participants) framesSent[participant.rawId] = 0;
    if (faults.refusesAtStart()) return inject({ type: 'refuse' });
    if (spec.transcription !== undefined) {
      transcription = openTranscriptionChannel(spec, {
        handshakeTimeoutMs: ctx.handshakeTimeoutMs,
        logger: log,
        closeSocket,
      });
    }
    let opened;
    try {
      opened = await socket.open();
    } catch (error) {
      return fail((error as Error).message);
    }
    if (opened === undefined) return;
    epochMs = ctx.now();
    // Paced before the listener hears of it: a listener that stops the stream at once also unpaces it.
    firstTick = ctx.pacer.add(client);
    socket.attach(opened);
    events.connected();
  }

  function onMessage(data: Buffer): void {
    if (ctx.onAppMessage !== undefined) ctx.onAppMessage(spec.callConnectionId, data);
    playback.accept(data);
    tap.acceptApp(data);
  }

  /** An answered addParticipant: the callee's clip (a fixture in another voice by default) from the next frame. */
  async function join(rawId: string, say?: AudioSourceSpec): Promise<void> {
    const built = await audioReady;
    if (built === undefined || ended) return;
    const clip = await ctx.loader.load(say ?? { type: 'fixture' }, spec.sampleRate, built.participants.length);
    // The load awaited: the stream may have ended meanwhile.
    if (ended) return;
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

  function onTick(tick: number, lateMs: number): void {
    if (ended) {
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
    faults.injectDue(frame);
    // A fault may have ended the stream (hangup, fail) or dropped its socket (drop, refuse).
    if (ended) return;
    if (socket.phase === 'open') {
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
    if (!socket.writable) return;
    const due = outbox.take(frame);
    if (!socket.sendFrame(due)) {
      framesLost += due.length;
      return;
    }
    for (const message of due) {
      if (message.audio) framesSent[message.key] = (framesSent[message.key] ?? 0) + 1;
      else dtmfSent++;
    }
  }

  function fail(detail: string): void {
    if (ended) return;
    log.warn({ detail }, 'media streaming failed');
    void end(detail);
  }

  function stop(): Promise<void> {
    return end();
  }

  /** Ends the stream once: nothing more is sent, sockets close (1000, or 1011 on failure), one final event. */
  function end(failure?: string): Promise<void> {
    if (ending !== undefined) return ending;
    ended = true;
    ctx.pacer.remove(client);
    outbox.clear();
    if (failure !== undefined) events.failed(failure);
    ending = (async () => {
      await Promise.all([socket.close(failure === undefined ? 1000 : 1011), transcription?.close(), playback.close()]);
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
      faults: faults.injected.map((entry) => ({ ...entry })),
      pacing: jitter.stats(),
      state: state(),
      connections: socket.connections,
      framesLost,
      outboundViolationsByKind: back.violationsByKind,
      transcriptionFailure: transcription?.failure,
    };
  }
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
