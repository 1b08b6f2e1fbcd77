// Every frame ACS sends is masked (RFC 6455 §5.3: client-to-server frames always are), so the ingest XORs every
// payload byte before parsing. ws does that natively when Node offers `http.websocketMask` or when the optional
// package `bufferutil` is installed, and byte by byte in JavaScript otherwise: about 1.1 µs for a 16 kHz frame's
// 900 bytes against 70 ns native (bench/README.md has the figures). This file mirrors ws's own choice
// (ws/lib/buffer-util.js) so the server can say at start-up which one it got.
import * as http from 'node:http';
import { createRequire } from 'node:module';

/** How this process's ws masks and unmasks WebSocket payloads. */
export type WebSocketMasking = 'native' | 'javascript';

/** Which masking ws uses in this process; `env` is read as ws reads it (`WS_NO_BUFFER_UTIL` turns bufferutil off). */
export function webSocketMasking(env: NodeJS.ProcessEnv = process.env): WebSocketMasking {
  if (typeof (http as unknown as Record<string, unknown>).websocketMask === 'function') return 'native';
  if (env.WS_NO_BUFFER_UTIL) return 'javascript';
  try {
    createRequire(import.meta.url)('bufferutil');
    return 'native';
  } catch {
    return 'javascript';
  }
}

/** What the server logs when masking runs in JavaScript: what it costs and how to fix it. */
export const JAVASCRIPT_MASKING_ADVICE =
  'WebSocket frames are unmasked in JavaScript, about 1 µs of CPU per audio frame: install the optional ' +
  'dependency bufferutil (npm install bufferutil; it ships prebuilt binaries) and do not set WS_NO_BUFFER_UTIL';
