// README.md, TypeScript example 1: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
// Placeholder: the app's own speech recognizer.
declare const myTranscriber: { push(participantRawId: string | undefined, samples: Int16Array): void };
export {};
// ---- the example, exactly as the document shows it ----
import { createMediaServer } from 'acs-audio-streaming';

const server = createMediaServer({ port: 8080, recordingsDir: './recordings' });
server.on('session', (session) => {
  console.log('call audio connected', session.id, session.query.get('call'));
  session.on('participant', ({ participantRawId }) => console.log('speaker', participantRawId));
  session.on('audio', (frame) => {
    // 20 ms of 16-bit PCM for one participant, placed on the call's timeline (gaps already filled).
    // frame.samples: Int16Array · frame.participantRawId · frame.timelineMs · frame.levelDbfs · frame.silent
    if (!frame.silent && frame.levelDbfs > -40) myTranscriber.push(frame.participantRawId, frame.samples.slice());
  });
  session.on('dtmf', (packet) => console.log('pressed', packet.tone));
  session.on('end', (summary) => console.log('recorded to', summary.recordingDir));
  // Talk back (bidirectional streaming): any WAV, converted and paced; stopAudio() is barge-in.
  const greeting = session.play({ wavPath: './hello.wav' });
  greeting.done.then(({ status }) => console.log('greeting', status));
});
await server.listen();
