// Prometheus label values that come from input must be bounded: a forged callback with a made-up
// event type would otherwise add a series per type, without limit. Known types keep their own value.

const CALLBACK_TYPES = new Set([
  'CallConnected', 'CallDisconnected', 'CallTransferAccepted', 'CallTransferFailed',
  'ParticipantsUpdated', 'AddParticipantSucceeded', 'AddParticipantFailed',
  'RemoveParticipantSucceeded', 'RemoveParticipantFailed', 'CancelAddParticipantSucceeded', 'CancelAddParticipantFailed',
  'MediaStreamingStarted', 'MediaStreamingStopped', 'MediaStreamingFailed',
  'TranscriptionStarted', 'TranscriptionStopped', 'TranscriptionUpdated', 'TranscriptionFailed',
  'PlayStarted', 'PlayCompleted', 'PlayFailed', 'PlayCanceled',
  'RecognizeCompleted', 'RecognizeFailed', 'RecognizeCanceled',
  'ContinuousDtmfRecognitionToneReceived', 'ContinuousDtmfRecognitionToneFailed', 'ContinuousDtmfRecognitionStopped',
  'SendDtmfTonesCompleted', 'SendDtmfTonesFailed',
  'HoldFailed', 'CreateCallFailed', 'AnswerFailed', 'ConnectFailed',
  'RecordingStateChanged', 'DialogStarted', 'DialogCompleted', 'DialogFailed',
]);

/** The `type` label for a callback event: its short type when ACS documents it, otherwise `other`. */
export function callbackTypeLabel(type: string): string {
  return CALLBACK_TYPES.has(type) ? type : 'other';
}
