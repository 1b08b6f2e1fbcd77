// Compiled by `npm run typecheck`, never run: the public emitters have event maps, so a misspelled event name or frame
// field fails to compile. Each @ts-expect-error below must meet an error; if the types stopped catching the mistake,
// the directive itself becomes the compile error.
import type { MediaHub, MediaServer, MediaSession } from '../../src/index.js';

export function typedEvents(server: MediaServer, hub: MediaHub, session: MediaSession): void {
  server.on('session', (s) => s.on('audio', (frame) => frame.samples.length + frame.timelineMs));
  server.once('session', (s) => s.id);
  hub.on('session', (s) => s.summary());
  session.on('end', (summary) => summary.recordingDir);
  // @ts-expect-error: 'adio' is not an event of a session
  session.on('adio', () => undefined);
  // @ts-expect-error: frames have `samples`, not `sample`
  session.on('audio', (frame) => frame.sample);
  // @ts-expect-error: 'sesion' is not an event of the server
  server.on('sesion', () => undefined);
  // @ts-expect-error: the 'end' listener gets a summary, which has no `file`
  session.on('end', (summary) => summary.file);
}
