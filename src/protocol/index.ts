// The ACS media-streaming wire protocol: typed packets, parser and serializers. Pure: no I/O, no state.
export * from './packets.js';
export { frameBytesFor, isSampleRate, FRAMES_PER_SECOND } from './audio-format.js';
export { normalizeDtmfTone } from './dtmf-tone.js';
export { parsePacket, type WireData } from './parse-packet.js';
export type { ParseOptions } from './parse-options.js';
export { formatTimestamp, parseTimestampMs } from './timestamp.js';
