// Call recording as ACS runs it (docs/protocol.md §4): POST /calling/recordings starts one for a call, pause / resume /
// stop / get change and read it, each change posts RecordingStateChanged; when it stops the file is written and an
// Event Grid Microsoft.Communication.RecordingFileStatusUpdated names its content and metadata locations, which the
// emulator serves under /v1/objects/{documentId} (the SDK's downloadToPath / downloadStreaming fetch them).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CallRecord, CallStore } from './call-store.js';
import { buildCallEvent, RESULT_OK, type CallbackSender } from './callback-events.js';
import { isPlaying, withPrompt } from './prompt-audio.js';
import { createRecordingCapture, type RecordingCapture } from './recording-capture.js';
import { AcsRestError, acsErrors } from './rest/acs-errors.js';
import { str } from './body-fields.js';

type Body = Record<string, unknown>;

/** What recording operations need from the emulator. */
export interface RecordingOperationsContext {
  store: CallStore;
  sender: CallbackSender;
  speed: number;
  /** Folder for finished recordings. */
  dir: string;
  /** Origin of content locations; ACS's SDK downloads only from *.asm.skype.com. */
  storageOrigin: string;
  /** Posts RecordingFileStatusUpdated to the Event Grid webhook; undefined when none is configured. */
  publish: ((subject: string, data: Record<string, unknown>) => Promise<void>) | undefined;
  logger: Logger;
}

interface Recording {
  recordingId: string;
  documentId: string;
  call: CallRecord;
  channel: 'mixed' | 'unmixed';
  state: 'active' | 'inactive';
  uri: string;
  startedAt: Date;
  capture: RecordingCapture;
  /** Wall ms at which the current active span began (for a call without media stream). */
  activeSince: number | undefined;
  /** Paused spans, for the metadata's pauseResumeIntervals (ms of call time). */
  pauses: Array<{ startTime: string; at: number; duration: number | undefined }>;
  detach: (() => void) | undefined;
  stopped: Promise<void> | undefined;
}

function oneOf(body: Body, field: string, allowed: string[], what: string): void {
  const value = body[field];
  if (value !== undefined && !allowed.includes(String(value).toLowerCase())) {
    throw acsErrors.badRequest(`"${field}" ${JSON.stringify(value)} is not supported by the emulator: it records ${what}.`);
  }
}

/** start, get, pause, resume, stop, download and delete of call recordings. */
export class RecordingOperations {
  private readonly recordings = new Map<string, Recording>();
  private readonly documents = new Map<string, Recording>();

  constructor(private readonly ctx: RecordingOperationsContext) {}

  /** POST /calling/recordings → 200 RecordingStateResponse; RecordingStateChanged (active, or inactive if paused). */
  start(body: Body): Record<string, unknown> {
    const call = this.findCall(body);
    oneOf(body, 'recordingContentType', ['audio'], 'audio only (recordingContentType "audio")');
    oneOf(body, 'recordingFormatType', ['wav'], 'WAV only (recordingFormatType "wav")');
    oneOf(body, 'recordingChannelType', ['mixed', 'unmixed'], 'mixed or unmixed audio');
    if ([...this.recordings.values()].some((r) => r.call === call && !r.stopped)) {
      throw new AcsRestError(400, '8500', `Call ${call.callConnectionId} is already being recorded; stop that recording first.`);
    }
    const channel = String(body.recordingChannelType ?? 'mixed').toLowerCase() === 'unmixed' ? 'unmixed' : 'mixed';
    const documentId = `0-emu-d0-${randomBytes(16).toString('hex')}`;
    const recording: Recording = {
      recordingId: Buffer.from(JSON.stringify({ PlatformEndpointId: randomUUID(), ResourceSpecificId: documentId })).toString('base64url'),
      documentId,
      call,
      channel,
      state: 'inactive',
      uri: str(body.recordingStateCallbackUri) ?? call.callbackUri,
      startedAt: new Date(),
      capture: createRecordingCapture(call.stream?.spec.sampleRate ?? 16000, channel),
      activeSince: undefined,
      pauses: [],
      detach: undefined,
      stopped: undefined,
    };
    this.recordings.set(recording.recordingId, recording);
    this.documents.set(documentId, recording);
    const sampleRate = call.stream?.spec.sampleRate ?? 16000;
    let sample = 0;
    recording.detach = call.stream?.listen?.((frame) => {
      if (recording.state !== 'active') return;
      // A prompt the call hears now is in the app's audio, as ACS records it.
      const heard = isPlaying(call.prompt, Date.now()) ? { ...frame, app: withPrompt(frame.app, sampleRate, call.prompt, sample) } : frame;
      sample += frame.app.length;
      recording.capture.write(heard);
    });
    this.setState(recording, body.pauseOnStart === true ? 'inactive' : 'active', 'start');
    return this.response(recording);
  }

  /** GET /calling/recordings/{id} → 200 RecordingStateResponse. */
  get(recordingId: string): Record<string, unknown> {
    return this.response(this.find(recordingId));
  }

  /** :pause / :resume → 202; RecordingStateChanged when the state changes. */
  pause(recordingId: string, on: boolean): void {
    const recording = this.live(recordingId);
    this.setState(recording, on ? 'inactive' : 'active', on ? 'pause' : 'resume');
  }

  /** DELETE /calling/recordings/{id} → 204; RecordingStateChanged inactive, then the file and RecordingFileStatusUpdated. */
  async stop(recordingId: string, endReason = 'SessionEnded'): Promise<void> {
    const recording = this.live(recordingId);
    this.setState(recording, 'inactive', 'stop');
    recording.detach?.();
    recording.stopped = this.finish(recording, endReason);
    await recording.stopped;
  }

  /** GET /v1/objects/{documentId}/content/{audio|acsmetadata}: the file's bytes. */
  async download(documentId: string, part: string): Promise<{ type: string; body: Buffer }> {
    const recording = this.documents.get(documentId);
    if (!recording?.stopped) throw acsErrors.recordingNotFound(documentId);
    await recording.stopped;
    const file = join(this.ctx.dir, `${documentId}.${part === 'audio' ? 'wav' : 'json'}`);
    const body = await readFile(file).catch(() => {
      throw acsErrors.recordingNotFound(documentId);
    });
    return { type: part === 'audio' ? 'audio/wav' : 'application/json', body };
  }

  /** DELETE /v1/objects/{documentId}: the files go. */
  async delete(documentId: string): Promise<void> {
    const recording = this.documents.get(documentId);
    if (!recording?.stopped) throw acsErrors.recordingNotFound(documentId);
    await recording.stopped;
    this.documents.delete(documentId);
    await Promise.all(['wav', 'json'].map((ext) => rm(join(this.ctx.dir, `${documentId}.${ext}`), { force: true })));
  }

  /** The call ended: a recording still running stops (sessionEndReason CallEnded). */
  async forget(callConnectionId: string): Promise<void> {
    const running = [...this.recordings.values()].filter((r) => r.call.callConnectionId === callConnectionId && !r.stopped);
    await Promise.all(running.map((r) => this.stop(r.recordingId, 'CallEnded').catch(() => undefined)));
  }

  /** Waits for files being written. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.recordings.values()].map((r) => r.stopped));
  }

  private findCall(body: Body): CallRecord {
    const id = str(body.callConnectionId);
    const locator = body.callLocator as { serverCallId?: string; kind?: string } | undefined;
    if (!id && !locator?.serverCallId) {
      throw acsErrors.badRequest('The request body must have "callConnectionId" or "callLocator" with a "serverCallId" (group and room calls are not emulated).');
    }
    const call = id ? this.ctx.store.get(id) : this.ctx.store.list().find((c) => c.serverCallId === locator!.serverCallId);
    if (!call || call.state === 'disconnected') throw acsErrors.callNotFound(id ?? locator!.serverCallId!);
    if (call.state !== 'connected') throw acsErrors.callNotConnected(call.callConnectionId, call.state);
    return call;
  }

  private find(recordingId: string): Recording {
    const recording = this.recordings.get(recordingId);
    if (!recording) throw acsErrors.recordingNotFound(recordingId);
    return recording;
  }

  private live(recordingId: string): Recording {
    const recording = this.find(recordingId);
    if (recording.stopped) throw acsErrors.recordingNotFound(recordingId);
    return recording;
  }

  private response(recording: Recording): Record<string, unknown> {
    return { recordingId: recording.recordingId, recordingState: recording.state, recordingKind: 'azureCommunicationServices' };
  }

  private setState(recording: Recording, state: Recording['state'], why: 'start' | 'pause' | 'resume' | 'stop'): void {
    const now = Date.now();
    const open = recording.pauses.at(-1);
    if (why === 'stop' && open?.duration === undefined && open) open.duration = (now - open.at) * this.ctx.speed;
    if (recording.state === state && why !== 'start') return;
    // A call without a media stream has no audio: its active spans are recorded as silence of their length.
    if (recording.detach === undefined && recording.activeSince !== undefined) {
      recording.capture.silence((now - recording.activeSince) * this.ctx.speed);
    }
    recording.activeSince = state === 'active' ? now : undefined;
    if (why === 'pause' || (why === 'start' && state === 'inactive')) recording.pauses.push({ startTime: new Date(now).toISOString(), at: now, duration: undefined });
    if (why === 'resume' && open) open.duration = (now - open.at) * this.ctx.speed;
    recording.state = state;
    const call = recording.call;
    const fields = { recordingId: recording.recordingId, state, startDateTime: recording.startedAt.toISOString(), recordingKind: 'azureCommunicationServices', resultInformation: RESULT_OK };
    void this.ctx.sender.post(call, buildCallEvent(call, 'RecordingStateChanged', fields), recording.uri);
  }

  private async finish(recording: Recording, endReason: string): Promise<void> {
    const { wav, channels, durationMs } = recording.capture.finish();
    const call = recording.call;
    const sampleRate = call.stream?.spec.sampleRate ?? 16000;
    const metadata = {
      resourceId: 'emulator',
      callId: call.correlationId,
      chunkDocumentId: recording.documentId,
      chunkIndex: 0,
      chunkStartTime: recording.startedAt.toISOString(),
      chunkDuration: durationMs,
      pauseResumeIntervals: recording.pauses.map((p) => ({ startTime: p.startTime, duration: Math.round(p.duration ?? 0) })),
      recordingInfo: { contentType: 'audio', channelType: recording.channel, format: 'wav', audioConfiguration: { sampleRate, bitRate: sampleRate * 16 * Math.max(1, channels.length), channels: Math.max(1, channels.length) } },
      participants: channels.length ? channels : call.participants.map((participantId) => ({ participantId })),
    };
    await mkdir(this.ctx.dir, { recursive: true });
    await writeFile(join(this.ctx.dir, `${recording.documentId}.wav`), wav);
    await writeFile(join(this.ctx.dir, `${recording.documentId}.json`), JSON.stringify(metadata, null, 2));
    if (!this.ctx.publish) {
      this.ctx.logger.info({ documentId: recording.documentId }, 'emulator: recording written; no Event Grid webhook to tell');
      return;
    }
    const base = `${this.ctx.storageOrigin}/v1/objects/${recording.documentId}`;
    const data = {
      recordingStorageInfo: {
        recordingChunks: [{ documentId: recording.documentId, index: 0, endReason, contentLocation: `${base}/content/audio`, metadataLocation: `${base}/content/acsmetadata`, deleteLocation: base }],
      },
      recordingStartTime: recording.startedAt.toISOString(),
      recordingDurationMs: durationMs,
      recordingContentType: 'Audio',
      recordingChannelType: recording.channel === 'mixed' ? 'Mixed' : 'Unmixed',
      recordingFormatType: 'Wav',
      sessionEndReason: endReason === 'CallEnded' ? 'CallEnded' : 'SessionEnded',
    };
    // Delivered in the background: stop answers at once, as ACS does, and the file event follows.
    void this.ctx.publish(`/recording/call/${call.correlationId}/serverCallId/${call.serverCallId}`, data).catch((error: Error) => {
      this.ctx.logger.warn({ err: error.message }, 'emulator: RecordingFileStatusUpdated not delivered');
    });
  }
}
