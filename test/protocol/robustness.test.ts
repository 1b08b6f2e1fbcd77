// Properties over hostile input: parsePacket and parseOutboundPacket never throw, every answer is a packet or a
// typed rejection, and the AudioData fast path always gives exactly what the general path gives.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseOutboundPacket, parsePacket, RejectReason, serializePacket, StringCache, type ParseResult } from '../../src/index.js';
import { parseAudioDataFast } from '../../src/protocol/fast-audio-data.js';
import { INTERNAL_ERROR_PREFIX, parsePacketGeneral } from '../../src/protocol/parse-packet.js';
import { audioData, inboundPacket } from './arbitraries.js';

const REASONS = new Set<string>(Object.values(RejectReason));

function assertWellFormed(result: ParseResult | ReturnType<typeof parseOutboundPacket>): void {
  if (result.ok) return;
  assert.ok(REASONS.has(result.reason), `unknown reason ${result.reason}`);
  assert.equal(typeof result.detail, 'string');
  assert.ok(!result.detail.startsWith(INTERNAL_ERROR_PREFIX), result.detail);
}

/** Characters that matter to a JSON scanner, base64, UTF-8 and the fast path (U+0122 and U+015C end in the bytes of `"` and `\`). */
const TRICKY = ['"', '\\', ' ', '\n', '{', '}', '[', ',', ':', '=', '-', '_', '+', '/', 'é', '\u0001', '\u2028', '\ud800', '\u0122', '\u015c', '\u0141', 'A', 'a', '0', 'n', 't', 'f', 'E'];

/** One edit of a message: insert, delete, replace, or change the case of a stretch. */
const edit = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 3 })) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(...TRICKY) }),
  fc.record({ op: fc.constant('case' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function applyEdit(text: string, change: Edit): string {
  const at = text.length === 0 ? 0 : change.at % text.length;
  switch (change.op) {
    case 'insert':
      return text.slice(0, at) + change.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + change.length);
    case 'replace':
      return text.slice(0, at) + change.text + text.slice(at + 1);
    case 'case': {
      const part = text.slice(at, at + change.length);
      const flipped = part === part.toUpperCase() ? part.toLowerCase() : part.toUpperCase();
      return text.slice(0, at) + flipped + text.slice(at + change.length);
    }
  }
}

/** A serialized packet with a few edits: mostly still almost valid, so the parser's deep paths are reached. */
const mutatedPacket = fc.tuple(inboundPacket, fc.array(edit, { maxLength: 3 })).map(([packet, edits]) => edits.reduce(applyEdit, serializePacket(packet)));
const mutatedAudio = fc.tuple(audioData, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([packet, edits]) => edits.reduce(applyEdit, serializePacket(packet)));

describe('never throws', () => {
  test('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assertWellFormed(parsePacket(bytes));
        assertWellFormed(parseOutboundPacket(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  test('on arbitrary strings, including lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        assertWellFormed(parsePacket(text));
        assertWellFormed(parseOutboundPacket(text));
      }),
      { numRuns: 1000 },
    );
  });

  test('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('AudioData', 'AudioMetadata', 'DtmfData', 'TranscriptionData', 'TranscriptionMetadata'), (value, kind) => {
        const body = kind.charAt(0).toLowerCase() + kind.slice(1);
        assertWellFormed(parsePacket(JSON.stringify(value) ?? 'null'));
        assertWellFormed(parsePacket(JSON.stringify({ kind, [body]: value })));
        assertWellFormed(parseOutboundPacket(JSON.stringify({ kind: 'audioData', audioData: value })));
      }),
      { numRuns: 1000 },
    );
  });

  test('on damaged packets of every kind', () => {
    fc.assert(
      fc.property(mutatedPacket, (text) => {
        assertWellFormed(parsePacket(text));
        assertWellFormed(parsePacket(Buffer.from(text)));
      }),
      { numRuns: 1500 },
    );
  });

  test('on non-message values from JavaScript callers', () => {
    for (const value of [undefined, null, 0, true, {}, [], Symbol('x'), () => 1]) {
      const result = parsePacket(value as unknown as string);
      assert.equal(result.ok === false && result.reason, 'not_text');
    }
  });

  test('on JSON nested too deep for a recursive reader', () => {
    const deep = `{"kind":"TranscriptionData","transcriptionData":{"text":"a","offset":1,"resultStatus":"Final","x":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    assertWellFormed(parsePacket(deep));
  });
});

describe('the AudioData fast path', () => {
  test('takes the compact packets ACS sends, as Buffers and as strings', () => {
    fc.assert(
      fc.property(audioData, (packet) => {
        const text = serializePacket(packet);
        assert.deepEqual(parseAudioDataFast(Buffer.from(text), {}), { ok: true, packet });
        assert.deepEqual(parseAudioDataFast(text, {}), { ok: true, packet });
      }),
      { numRuns: 300 },
    );
  });

  test('gives the same result as the general path on intact packets', () => {
    fc.assert(
      fc.property(audioData, fc.option(fc.constantFrom(640, 960, 2), { nil: undefined }), (packet, expectedFrameBytes) => {
        const text = serializePacket(packet);
        const options = { expectedFrameBytes };
        assert.deepEqual(parsePacket(Buffer.from(text), options), parsePacketGeneral(Buffer.from(text), options));
        assert.deepEqual(parsePacket(text, options), parsePacketGeneral(text, options));
      }),
      { numRuns: 300 },
    );
  });

  test('gives the same result as the general path on damaged packets', () => {
    fc.assert(
      fc.property(mutatedAudio, (text) => {
        assert.deepEqual(parsePacket(Buffer.from(text)), parsePacketGeneral(Buffer.from(text)));
        assert.deepEqual(parsePacket(text), parsePacketGeneral(text));
      }),
      { numRuns: 3000 },
    );
  });

  test('gives the same packets with a string cache shared along a socket as without one', () => {
    // More distinct IDs than the cache keeps (16), repeated in any order: hits, misses and evictions all happen.
    const ids = Array.from({ length: 20 }, (_, i) => `8:acs:${'x'.repeat(i % 3)}${i}`);
    const stream = fc.array(fc.tuple(audioData, fc.option(fc.constantFrom(...ids), { nil: undefined })), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(stream, (frames) => {
        const options = { strings: new StringCache() };
        for (const [packet, id] of frames) {
          const text = serializePacket({ ...packet, participantRawID: id });
          assert.deepEqual(parsePacket(Buffer.from(text), options), parsePacketGeneral(Buffer.from(text)));
        }
      }),
      { numRuns: 200 },
    );
  });

  test('a string cache makes each participant ID once, and again only after 16 others pushed it out', () => {
    const cache = new StringCache();
    const made: string[] = [];
    const make = (bytes: Buffer, start: number, end: number): string => {
      made.push(bytes.toString('latin1', start, end));
      return made[made.length - 1];
    };
    const lookUp = (id: string): string => {
      const bytes = Buffer.from(`"${id}"`);
      return cache.get(bytes, 1, bytes.length - 1, make);
    };
    assert.equal(lookUp('4:+15550001'), '4:+15550001');
    assert.equal(lookUp('4:+15550002'), '4:+15550002');
    assert.equal(lookUp('4:+15550001'), '4:+15550001');
    assert.deepEqual(made, ['4:+15550001', '4:+15550002']);
    for (let i = 0; i < 16; i++) lookUp(`8:acs:${i}`);
    assert.equal(lookUp('4:+15550001'), '4:+15550001');
    assert.equal(made.length, 2 + 16 + 1, 'the oldest ID was evicted and made again');
  });

  test('leaves unusual but valid packets to the general path, which reads them', () => {
    const unusual = [
      '{"kind":"AudioData","audioData":{"timestamp":"2024-05-02T11:20:42Z", "data":"AQA="}}',
      '{"kind":"AudioData","audioData":{"timestamp":"2024-05-02T11:20:42Z","data":"AQA=","participantRawID":"4:+1\\u0035"}}',
      '{"kind":"AudioData","audioData":{"timestamp":"2024-05-02T11:20:42Z","data":"AQA=","data":"AgA="}}',
      '{"kind":"AudioData","audioData":{"timestamp":"2024-05-02T11:20:42Z","data":"AQA=","silent":null}}',
      '{"kind":"AudioData","audioData":{"timestamp":"2024-05-02T11:20:42Z","data":"AQA=","participantRawID":"ü"}}',
      '{"kind":"AudioData","audioData":{"timestamp":"2024-05-02T11:20:42Z","data":"AQA=","unknown":1}}',
    ];
    for (const text of unusual) {
      assert.equal(parseAudioDataFast(Buffer.from(text), {}), undefined, text);
      assert.equal(parsePacket(Buffer.from(text)).ok, true, text);
    }
  });
});
