// docs/blob-recordings.md, TypeScript example 1: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
export {};
// ---- the example, exactly as the document shows it ----
import { createMediaServer, blobConnectionStringFrom } from 'acs-audio-streaming';

const server = createMediaServer({
  port: 8080,
  recordingsDir: './recordings-spool', // the spool: sessions are recorded here, and kept until uploaded
  blob: {
    connectionString: blobConnectionStringFrom(process.env), // ACS_AUDIO_BLOB_CONNECTION_STRING or AZURE_STORAGE_CONNECTION_STRING
    container: 'call-recordings',
    prefix: 'prod',
  },
});
// listen() repairs WAVs a crash left in the spool, then uploads what an earlier run left there.
const { wsUrl } = await server.listen();
console.log(`ACS streams to ${wsUrl}; finished sessions go to Blob Storage`);
// server.blob.stats() has the uploader's figures, /metrics the same as acs_audio_blob_*.
process.on('SIGTERM', () => void server.close()); // ends the sessions, then waits up to closeTimeoutMs for their uploads
