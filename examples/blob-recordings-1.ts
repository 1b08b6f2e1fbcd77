// docs/blob-recordings.md, TypeScript example 1: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
export {};
// ---- the example, exactly as the document shows it ----
import { createMediaServer } from 'acs-audio-streaming';
import { createBlobRecordingsUploader, parseRecordingsTarget, blobConnectionStringFrom } from './src/scale/blob-recordings.js';

const target = parseRecordingsTarget('azblob://call-recordings/prod'); // { kind: 'azblob', container, prefix }
const spoolDir = './recordings-spool';
const server = createMediaServer({ port: 8080, recordingsDir: spoolDir });
const uploader = createBlobRecordingsUploader({
  connectionString: blobConnectionStringFrom(process.env, 'azblob://call-recordings/prod'),
  container: target.container,
  prefix: target.prefix,
  spoolDir,
  logger,
  registry: server.metrics.registry, // acs_audio_blob_* on /metrics
});
uploader.attach(server.hub);
await server.listen();   // repairs WAVs a crash left, before the spool is drained
await uploader.start();  // drain what an earlier run left, then every drainIntervalMs
// at shutdown: the server first (it ends sessions, which queues their uploads), then the uploader
await server.close();
await uploader.close();  // waits up to closeTimeoutMs; the rest stays in the spool
