// docs/scale-out.md, TypeScript example 1: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
// Placeholders: the session to follow and the app's speech recognizer.
declare const sessionId: string;
declare const asr: { push(trackId: string, samples: Int16Array): void; finish(sessionId: string): void };
export {};
// ---- the example, exactly as the document shows it ----
import { subscribe } from 'acs-audio-streaming';

const sub = await subscribe({ nats: 'nats://10.0.0.5:4222', sessionId, durable: 'transcriber' });
for await (const m of sub) {
  switch (m.kind) {
    case 'frame': asr.push(m.trackId, m.samples); break;        // Int16Array, m.sequence, m.timelineMs, m.silent
    case 'event': if (m.event.type === 'session.ended') asr.finish(m.sessionId); break;
    case 'transcript': case 'dtmf': break;
  }
}
