// fast-check generators of inbound packets as ACS would send them (docs/protocol.md §1), for the property and
// differential tests. Values stay within what the wire can carry (finite numbers, JSON-safe extra fields).
// fc.record makes null-prototype objects; each is spread into a plain one, as parsePacket returns.
import fc from 'fast-check';
import {
  formatTimestamp,
  frameBytesFor,
  parseTimestampMs,
  type AudioDataPacket,
  type AudioMetadataPacket,
  type DtmfDataPacket,
  type InboundPacket,
  type TranscriptionDataPacket,
  type TranscriptionMetadataPacket,
  type TranscriptionWord,
} from '../../src/index.js';

const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2099, 11, 31);

/** Raw IDs in the shapes ACS uses (docs/protocol.md §1), which the SDK's identifier functions round-trip. */
export const rawId = fc.oneof(
  fc.tuple(fc.uuid(), fc.uuid()).map(([a, b]) => `8:acs:${a}_${b}`),
  fc.integer({ min: 1_000_000, max: 999_999_999 }).map((n) => `4:+1555${n}`),
  fc.uuid().map((id) => `8:orgid:${id}`),
  fc.uuid().map((id) => `28:orgid:${id}`),
);

/** ISO 8601 timestamps: ACS's usual form, without fraction, with 7 digits, with an offset. */
export const timestamp = fc.tuple(fc.integer({ min: MIN_MS, max: MAX_MS }), fc.integer({ min: 0, max: 3 })).map(([ms, style]) => {
  const iso = formatTimestamp(ms);
  if (style === 1) return `${iso.slice(0, 19)}Z`;
  if (style === 2) return `${iso.slice(0, 23)}4567Z`;
  if (style === 3) return `${iso.slice(0, 23)}+00:00`;
  return iso;
});

function withMs(text: string): { timestamp: string; timestampMs: number } {
  const timestampMs = parseTimestampMs(text);
  if (timestampMs === undefined) throw new Error(`generator made a bad timestamp ${text}`);
  return { timestamp: text, timestampMs };
}

export const sampleRate = fc.constantFrom(16000 as const, 24000 as const);

export const audioMetadata: fc.Arbitrary<AudioMetadataPacket> = fc.record({
  kind: fc.constant('AudioMetadata' as const),
  subscriptionId: fc.uuid(),
  encoding: fc.constant('PCM'),
  sampleRate,
  channels: fc.constant(1),
}).map((p) => ({ ...p, length: frameBytesFor(p.sampleRate) }));

/** A 20 ms frame at either rate; `frames` frames long when given (default one). */
export const audioData: fc.Arbitrary<AudioDataPacket> = fc
  .tuple(sampleRate, timestamp, fc.option(rawId, { nil: undefined }), fc.boolean())
  .chain(([rate, ts, participantRawID, silent]) =>
    fc.int16Array({ minLength: rate / 50, maxLength: rate / 50 }).map((samples) => ({
      kind: 'AudioData' as const,
      ...withMs(ts),
      participantRawID,
      silent,
      samples,
    })),
  );

export const dtmfData: fc.Arbitrary<DtmfDataPacket> = fc
  .tuple(fc.constantFrom(...'0123456789*#ABCD'), fc.option(timestamp, { nil: undefined }), fc.option(rawId, { nil: undefined }))
  .map(([tone, ts, participantRawID]) => ({
    kind: 'DtmfData' as const,
    tone,
    data: tone,
    ...(ts === undefined ? { timestamp: undefined, timestampMs: undefined } : withMs(ts)),
    participantRawID,
  }));

/** JSON values that survive JSON.stringify → JSON.parse unchanged, for `extra`. */
const extraValue = fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

function extraFields(known: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const taken = new Set(known.map((name) => name.toLowerCase()));
  const key = fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !taken.has(name.toLowerCase()) && name !== '__proto__');
  return fc.dictionary(key, extraValue, { maxKeys: 3 }).map((fields) => ({ ...fields }));
}

export const transcriptionMetadata: fc.Arbitrary<TranscriptionMetadataPacket> = fc.record({
  kind: fc.constant('TranscriptionMetadata' as const),
  subscriptionId: fc.uuid(),
  locale: fc.constantFrom('en-US', 'de-DE', 'fr-FR'),
  callConnectionId: fc.option(fc.uuid(), { nil: undefined }),
  correlationId: fc.option(fc.uuid(), { nil: undefined }),
  speechRecognitionModelEndpointId: fc.option(fc.uuid(), { nil: undefined }),
  extra: extraFields(['subscriptionId', 'locale', 'callConnectionId', 'correlationId', 'speechRecognitionModelEndpointId']),
}).map((p) => ({ ...p }));

/** Ticks up to int64, so both small offsets and the ~2.5e18 absolute ones appear. */
export const ticks = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }));

const word: fc.Arbitrary<TranscriptionWord> = fc
  .record({
    text: fc.string({ minLength: 1, maxLength: 10 }),
    offsetTicks: ticks,
    durationTicks: fc.option(ticks, { nil: undefined }),
  })
  .map((w) => ({ ...w }));

export const transcriptionData: fc.Arbitrary<TranscriptionDataPacket> = fc.record({
  kind: fc.constant('TranscriptionData' as const),
  text: fc.string({ maxLength: 40 }),
  format: fc.constantFrom('display', 'lexical'),
  confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x + 0), { nil: undefined }),
  offsetTicks: ticks,
  durationTicks: fc.option(ticks, { nil: undefined }),
  words: fc.array(word, { maxLength: 4 }),
  participantRawID: fc.option(rawId, { nil: undefined }),
  resultStatus: fc.constantFrom('Final' as const, 'Intermediate' as const),
  extra: extraFields(['text', 'format', 'confidence', 'offset', 'duration', 'words', 'participantRawID', 'resultStatus']),
}).map((p) => ({ ...p }));

export const inboundPacket: fc.Arbitrary<InboundPacket> = fc.oneof(audioMetadata, audioData, dtmfData, transcriptionMetadata, transcriptionData);
