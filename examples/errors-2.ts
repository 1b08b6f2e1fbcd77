// docs/errors.md, TypeScript example 2: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
export {};
// ---- the example, exactly as the document shows it ----
import type { ParseResult } from 'acs-audio-streaming';
const rejected: ParseResult = { ok: false, reason: 'bad_base64', detail: 'AudioData.data is not valid base64 (...)', kind: 'AudioData' };
