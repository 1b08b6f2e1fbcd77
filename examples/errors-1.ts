// docs/errors.md, TypeScript example 1: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
import type { MediaSession } from 'acs-audio-streaming';
// Placeholders: a session from the server's 'session' event, a WAV path and the app's logger.
declare const session: MediaSession;
declare const wavPath: string;
declare function log(code: string): void;
export {};
// ---- the example, exactly as the document shows it ----
import { isAcsAudioError, isMediaError, MediaErrorCode } from 'acs-audio-streaming';
try { session.play({ wavPath }); }
catch (e) { if (isMediaError(e, MediaErrorCode.NotReady)) { /* wait for 'session' */ } else if (isAcsAudioError(e)) log(e.code); else throw e; }
