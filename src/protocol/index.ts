// The ACS media-streaming wire protocol: typed packets, parser and serializers. Pure: no I/O, no state.
export * from './packets.js';
