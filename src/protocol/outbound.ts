// Packets a server sends back into the call (bidirectional streaming, docs/protocol.md §2): serializeOutbound
// writes the JS SDK's exact shape; parseOutboundPacket reads every casing Microsoft's code sends (the emulator's
// side of the socket).

import { decodePcmString, encodePcmBase64 } from './base64-pcm.js';
import { field, isJsonObject } from './json-fields.js';
import type { OutboundPacket, OutboundParseResult } from './packets.js';
import type { ParseOptions } from './parse-options.js';
import { checkInput, INTERNAL_ERROR_PREFIX, readRootObject, toBufferOrString, type WireData } from './parse-packet.js';
import { describe, reject } from './rejection.js';

const STOP_AUDIO = '{"kind":"stopAudio","stopAudio":{}}';

/**
 * The JSON text for an outbound packet, byte for byte what `createOutboundAudioData(base64)` and
 * `createOutboundStopAudioData()` of @azure/communication-call-automation 1.6.0 produce.
 */
export function serializeOutbound(packet: OutboundPacket): string {
  if (packet.kind === 'StopAudio') return STOP_AUDIO;
  return `{"kind":"audioData","audioData":{"data":"${encodePcmBase64(packet.samples)}","isSilent":false},"stopAudio":{}}`;
}

/**
 * Reads a message a server sent on a bidirectional media socket. Kinds and keys in any casing (`audioData`,
 * `AudioData`, `"Kind"`, `"Data"`); null or unknown sibling fields are ignored. Audio chunks may have any even size.
 * Only `maxBytes` of the options applies. Never throws.
 */
export function parseOutboundPacket(data: WireData, options: ParseOptions = {}): OutboundParseResult {
  try {
    const input = toBufferOrString(data);
    const refused = checkInput(input, data, options.maxBytes);
    if (refused !== undefined) return refused;
    const read = readRootObject(typeof input === 'string' ? input : (input as Buffer).toString('utf8'));
    if (!read.ok) return read;
    const root = read.root;
    const claimed = field(root, 'kind');
    if (typeof claimed !== 'string') {
      return reject('missing_kind', `An outbound message needs a "kind" string (audioData or stopAudio), got ${describe(claimed)}`);
    }
    const kind = claimed.toLowerCase();
    if (kind === 'stopaudio') return { ok: true, packet: { kind: 'StopAudio' } };
    if (kind !== 'audiodata') return reject('unknown_kind', `Unknown outbound kind ${JSON.stringify(claimed)}; known: audioData, stopAudio`, claimed);
    const body = field(root, 'audioData');
    if (!isJsonObject(body)) return reject('missing_body', `An audioData message needs an "audioData" object, got ${describe(body)}`, 'AudioData');
    const base64 = field(body, 'data');
    if (typeof base64 !== 'string') return reject('invalid_field', `audioData.data must be a base64 string, got ${describe(base64)}`, 'AudioData');
    const samples = decodePcmString(base64);
    if (samples === 'bad_base64') return reject('bad_base64', `audioData.data is not valid base64: ${describe(base64)}`, 'AudioData');
    if (samples === 'bad_length') return reject('bad_length', 'audioData.data decodes to an odd number of bytes; 16-bit PCM needs 2 bytes per sample', 'AudioData');
    return { ok: true, packet: { kind: 'AudioData', samples } };
  } catch (cause) {
    return reject('invalid_json', `${INTERNAL_ERROR_PREFIX} (please report it): ${(cause as Error)?.message ?? String(cause)}`);
  }
}
