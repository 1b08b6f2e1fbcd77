// The ACS media-streaming wire protocol: typed packets, parser and serializers. Pure: no I/O, no state.
export * from './packets.js';
export { FRAMES_PER_SECOND, frameBytesFor, isSampleRate } from './audio-format.js';
export { normalizeDtmfTone } from './dtmf-tone.js';
export { parseOutboundPacket, serializeOutbound } from './outbound.js';
export type { ParseOptions } from './parse-options.js';
export { parsePacket, type WireData } from './parse-packet.js';
export { serializePacket } from './serialize-packet.js';
export { StringCache } from './string-cache.js';
export { formatTimestamp, parseTimestampMs } from './timestamp.js';
