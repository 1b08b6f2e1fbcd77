// Prometheus gauges for the Blob recordings uploader, read from its plain counters at scrape time.
import { Gauge, type Registry } from 'prom-client';

/** The uploader's counters (see BlobRecordingsUploader.stats). */
export interface BlobRecordingsStats {
  /** Files uploaded and verified. */
  uploadedFiles: number;
  uploadedBytes: number;
  /** Session folders completely uploaded (marker written). */
  uploadedFolders: number;
  /** Attempts that failed and were tried again. */
  retries: number;
  /** Files that failed every attempt (their folder stays in the spool for the next drain). */
  failedFiles: number;
  /** Finished session folders not yet uploaded: queued, uploading, or waiting for the next drain. */
  pendingFolders: number;
  /** Session folders uploading right now. */
  inFlightFolders: number;
  /** The most recent upload error's message, for /api and logs. */
  lastError: string | undefined;
}

/** Register gauges named `acs_audio_blob_*` in `registry` (one uploader per registry). */
export function registerBlobRecordingsMetrics(registry: Registry, stats: () => BlobRecordingsStats): void {
  const gauge = (name: string, help: string, read: (s: BlobRecordingsStats) => number) =>
    new Gauge({ name: `acs_audio_blob_${name}`, help, registers: [registry], collect() { this.set(read(stats())); } });
  gauge('uploaded_files_total', 'Recording files uploaded to Blob Storage and verified', (s) => s.uploadedFiles);
  gauge('uploaded_bytes_total', 'Recording bytes uploaded to Blob Storage', (s) => s.uploadedBytes);
  gauge('uploaded_sessions_total', 'Session folders completely uploaded to Blob Storage', (s) => s.uploadedFolders);
  gauge('upload_retries_total', 'Blob uploads attempted again after a failure', (s) => s.retries);
  gauge('upload_failures_total', 'Recording files that failed every upload attempt (left in the spool)', (s) => s.failedFiles);
  gauge('spool_pending_sessions', 'Finished session folders in the spool not yet in Blob Storage', (s) => s.pendingFolders);
}
