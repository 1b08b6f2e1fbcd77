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
  | 'cancelAllMediaOperations';

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
];

/** Finds the operation for a request; undefined when the emulator does not implement it. */
export function dispatch(method: string, pathname: string): { operation: OperationName; callConnectionId: string | undefined } | undefined {
  for (const row of TABLE) {
    if (row.method !== method) continue;
    const match = row.pattern.exec(pathname);
    if (match) return { operation: row.operation, callConnectionId: match[1] ? decodeURIComponent(match[1]) : undefined };
  }
  return undefined;
}
