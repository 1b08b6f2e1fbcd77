// Dispatch: which Call Automation operation a request is (docs/protocol.md §4 table), by method and path.

/** Operation names, as handlers know them. */
export type OperationName =
  | 'createCall'
  | 'answerCall'
  | 'rejectCall'
  | 'redirectCall'
  | 'getCall'
  | 'hangUp'
  | 'terminate'
  | 'listParticipants'
  | 'startMediaStreaming'
  | 'stopMediaStreaming'
  | 'startTranscription'
  | 'stopTranscription'
  | 'play'
  | 'recognize'
  | 'cancelAllMediaOperations'
  | 'getParticipant'
  | 'addParticipant'
  | 'removeParticipant'
  | 'muteParticipants'
  | 'cancelAddParticipant'
  | 'transferToParticipant'
  | 'hold'
  | 'unhold'
  | 'sendDtmfTones'
  | 'startContinuousDtmfRecognition'
  | 'stopContinuousDtmfRecognition'
  | 'updateTranscription'
  | 'startRecording'
  | 'getRecording'
  | 'stopRecording'
  | 'pauseRecording'
  | 'resumeRecording'
  | 'downloadRecording'
  | 'deleteRecording';

const ID = '([^/:?]+)';
const TABLE: Array<{ method: string; pattern: RegExp; operation: OperationName }> = [
  { method: 'POST', pattern: /^\/calling\/callConnections$/, operation: 'createCall' },
  { method: 'POST', pattern: /^\/calling\/callConnections:answer$/, operation: 'answerCall' },
  { method: 'POST', pattern: /^\/calling\/callConnections:reject$/, operation: 'rejectCall' },
  { method: 'POST', pattern: /^\/calling\/callConnections:redirect$/, operation: 'redirectCall' },
  { method: 'GET', pattern: new RegExp(`^/calling/callConnections/${ID}$`), operation: 'getCall' },
  { method: 'DELETE', pattern: new RegExp(`^/calling/callConnections/${ID}$`), operation: 'hangUp' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:terminate$`), operation: 'terminate' },
  { method: 'GET', pattern: new RegExp(`^/calling/callConnections/${ID}/participants$`), operation: 'listParticipants' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:startMediaStreaming$`), operation: 'startMediaStreaming' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:stopMediaStreaming$`), operation: 'stopMediaStreaming' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:startTranscription$`), operation: 'startTranscription' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:stopTranscription$`), operation: 'stopTranscription' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:play$`), operation: 'play' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:recognize$`), operation: 'recognize' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:cancelAllMediaOperations$`), operation: 'cancelAllMediaOperations' },
  { method: 'GET', pattern: new RegExp(`^/calling/callConnections/${ID}/participants/([^/?]+)$`), operation: 'getParticipant' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}/participants:add$`), operation: 'addParticipant' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}/participants:remove$`), operation: 'removeParticipant' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}/participants:mute$`), operation: 'muteParticipants' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}/participants:cancelAddParticipant$`), operation: 'cancelAddParticipant' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:transferToParticipant$`), operation: 'transferToParticipant' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:hold$`), operation: 'hold' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:unhold$`), operation: 'unhold' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:sendDtmfTones$`), operation: 'sendDtmfTones' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:startContinuousDtmfRecognition$`), operation: 'startContinuousDtmfRecognition' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:stopContinuousDtmfRecognition$`), operation: 'stopContinuousDtmfRecognition' },
  { method: 'POST', pattern: new RegExp(`^/calling/callConnections/${ID}:updateTranscription$`), operation: 'updateTranscription' },
  { method: 'POST', pattern: /^\/calling\/recordings$/, operation: 'startRecording' },
  { method: 'GET', pattern: new RegExp(`^/calling/recordings/${ID}$`), operation: 'getRecording' },
  { method: 'DELETE', pattern: new RegExp(`^/calling/recordings/${ID}$`), operation: 'stopRecording' },
  { method: 'POST', pattern: new RegExp(`^/calling/recordings/${ID}:pause$`), operation: 'pauseRecording' },
  { method: 'POST', pattern: new RegExp(`^/calling/recordings/${ID}:resume$`), operation: 'resumeRecording' },
  // Recording content: what contentLocation / metadataLocation / deleteLocation of RecordingFileStatusUpdated name.
  { method: 'GET', pattern: /^\/v1\/objects\/([^/]+)\/content\/(audio|acsmetadata)$/, operation: 'downloadRecording' },
  { method: 'DELETE', pattern: /^\/v1\/objects\/([^/]+)$/, operation: 'deleteRecording' },
];

/** Finds the operation for a request; undefined when the emulator does not implement it. */
export function dispatch(method: string, pathname: string): { operation: OperationName; callConnectionId: string | undefined; detail: string | undefined } | undefined {
  for (const row of TABLE) {
    if (row.method !== method) continue;
    const match = row.pattern.exec(pathname);
    if (match) {
      return {
        operation: row.operation,
        // The call connection (or recording, or recording document) the path names, and a second segment if any.
        callConnectionId: match[1] ? decodeURIComponent(match[1]) : undefined,
        detail: match[2] ? decodeURIComponent(match[2]) : undefined,
      };
    }
  }
  return undefined;
}
