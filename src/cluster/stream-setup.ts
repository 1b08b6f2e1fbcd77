// Creates or updates, idempotently, the JetStream stream every node publishes into: any node may start first,
// and a node started with new retention flags applies them.
import { DiscardPolicy, nanos, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from 'nats';

/** The stream's name, subjects and retention. */
export interface StreamSpec {
  name: string;
  subjects: string[];
  /** 0 = no age limit. */
  maxAgeMs: number;
  /** -1 = unlimited. */
  maxBytes: number;
}

/** JetStream's default de-duplication window (Nats-Msg-Id), capped by the stream's max age. */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/** Creates the stream, or updates subjects and retention of an existing one; resolves with what the server holds. */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<StreamConfig> {
  const settings = {
    subjects: spec.subjects,
    max_age: nanos(spec.maxAgeMs),
    max_bytes: spec.maxBytes,
    duplicate_window: nanos(spec.maxAgeMs > 0 ? Math.min(DUPLICATE_WINDOW_MS, spec.maxAgeMs) : DUPLICATE_WINDOW_MS),
  };
  const exists = await jsm.streams.info(spec.name).then(
    () => true,
    (error: { code?: string; api_error?: { err_code?: number } }) => {
      if (error.code === '404' || error.api_error?.err_code === 10059) return false;
      throw error;
    },
  );
  if (exists) return (await jsm.streams.update(spec.name, settings)).config;
  try {
    const info = await jsm.streams.add({
      name: spec.name,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      ...settings,
    });
    return info.config;
  } catch (error) {
    // Another node created it between our look and our add: update it instead.
    if ((error as { api_error?: { err_code?: number } }).api_error?.err_code === 10058) return (await jsm.streams.update(spec.name, settings)).config;
    throw error;
  }
}
