// The handler step for mid-call operations beyond create/answer/stream/play/recognize: participants, DTMF and call
// recording. Like the other handlers they take the SDK's request bodies and know nothing of HTTP; the pipeline in
// emulator.ts renders what they return.
import type { Logger } from 'pino';
import type { CallRecord, CallStore } from './call-store.js';
import type { CallbackSender } from './callback-events.js';
import { DtmfOperations } from './dtmf-operations.js';
import { ParticipantOperations } from './participant-operations.js';
import { RecordingOperations } from './recording-operations.js';
import type { OperationName } from './rest/operation-table.js';

type Body = Record<string, unknown>;

/** What a handler returns: a JSON body, or bytes (recording content). */
export interface HandlerResult {
  status: number;
  body?: unknown;
  bytes?: { type: string; body: Buffer };
}

/** What the mid-call handlers need from the emulator. */
export interface MidCallContext {
  store: CallStore;
  connected(id: string): CallRecord;
  hangUp(id: string): Promise<void>;
  sender: CallbackSender;
  speed: number;
  recordingDir: string;
  storageOrigin: string;
  publish: ((subject: string, data: Record<string, unknown>) => Promise<void>) | undefined;
  logger: Logger;
}

/** Participants, DTMF and recording operations behind one handle(). */
export class MidCallHandlers {
  readonly participants: ParticipantOperations;
  readonly dtmf: DtmfOperations;
  readonly recordings: RecordingOperations;

  constructor(ctx: MidCallContext) {
    this.participants = new ParticipantOperations(ctx);
    this.dtmf = new DtmfOperations(ctx);
    this.recordings = new RecordingOperations({ ...ctx, dir: ctx.recordingDir });
  }

  /** Runs `operation` on call (or recording, or document) `id`; undefined when it is not one of these handlers'. */
  async handle(operation: OperationName, id: string, detail: string | undefined, body: Body): Promise<HandlerResult | undefined> {
    switch (operation) {
      case 'listParticipants':
        return { status: 200, body: this.participants.list(id) };
      case 'getParticipant':
        return { status: 200, body: this.participants.get(id, detail ?? '') };
      case 'addParticipant':
        return { status: 202, body: this.participants.add(id, body) };
      case 'removeParticipant':
        return { status: 202, body: this.participants.remove(id, body) };
      case 'muteParticipants':
        return { status: 200, body: this.participants.mute(id, body) };
      case 'cancelAddParticipant':
        return { status: 202, body: this.participants.cancelAdd(id, body) };
      case 'transferToParticipant':
        return { status: 202, body: this.participants.transfer(id, body) };
      case 'hold':
      case 'unhold':
        this.participants.hold(id, body, operation === 'hold');
        return { status: 200 };
      case 'sendDtmfTones':
        return { status: 202, body: this.dtmf.send(id, body) };
      case 'startContinuousDtmfRecognition':
        this.dtmf.start(id, body);
        return { status: 200 };
      case 'stopContinuousDtmfRecognition':
        this.dtmf.stop(id, body);
        return { status: 200 };
      case 'startRecording':
        return { status: 200, body: this.recordings.start(body) };
      case 'getRecording':
        return { status: 200, body: this.recordings.get(id) };
      case 'stopRecording':
        await this.recordings.stop(id);
        return { status: 204 };
      case 'pauseRecording':
      case 'resumeRecording':
        this.recordings.pause(id, operation === 'pauseRecording');
        return { status: 202 };
      case 'downloadRecording':
        return { status: 200, bytes: await this.recordings.download(id, detail ?? 'audio') };
      case 'deleteRecording':
        await this.recordings.delete(id);
        return { status: 200 };
      default:
        return undefined;
    }
  }

  /** A call ended: its timers stop and a running recording is finished. */
  forget(id: string): void {
    this.participants.forget(id);
    this.dtmf.forget(id);
    void this.recordings.forget(id);
  }

  async close(): Promise<void> {
    this.participants.close();
    this.dtmf.close();
    await this.recordings.close();
  }
}
