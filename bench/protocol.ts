// Benchmark: parse + decode one AudioData packet, ours (parsePacket) against the official SDK
// (StreamingData.parse + Buffer.from(data, 'base64')), on the same packets, in the same run.
// Input as `ws` delivers it (a Buffer per text message) and as strings. Prints ns/packet and the ratio.
// Usage: npm run bench:protocol [-- --seconds 1]

import { randomBytes } from 'node:crypto';
import { StreamingData, type AudioData } from '@azure/communication-call-automation';
import { frameBytesFor, parsePacket, type SampleRate } from '../src/protocol/index.js';

const POOL = 512;
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1.5;

/** Packets shaped as ACS sends them (docs/protocol.md §1), random PCM, a few speakers. */
function makePackets(sampleRate: SampleRate): string[] {
  const speakers = ['4:+15551234567', '8:acs:3d20e1de-0f28-41c5-84a0-4960fde5f411_0000000b-faeb-c708-99bf-a43a0d0036b0', '28:orgid:1b7ef3f8-7e0b-4f31-bb0b-4a0d9ce0f9d1'];
  const start = Date.UTC(2025, 0, 1);
  return Array.from({ length: POOL }, (_, i) =>
    JSON.stringify({
      kind: 'AudioData',
      audioData: {
        timestamp: new Date(start + i * 20).toISOString(),
        participantRawID: speakers[i % speakers.length],
        data: randomBytes(frameBytesFor(sampleRate)).toString('base64'),
        silent: false,
      },
    }),
  );
}

type Parse = (message: Buffer | string) => number;

function ours(message: Buffer | string): number {
  const result = parsePacket(message);
  return result.ok && result.packet.kind === 'AudioData' ? result.packet.samples.length : -1;
}

function sdk(message: Buffer | string): number {
  // The SDK types its input as string | ArrayBuffer but decodes any Uint8Array (TextDecoder), as `ws` hands over.
  const audio = StreamingData.parse(message as string | ArrayBuffer) as AudioData;
  return Buffer.from(audio.data, 'base64').length >> 1;
}

/** One timed round: ns per packet. */
function round(parse: Parse, inputs: Array<Buffer | string>): number {
  let sink = 0;
  const count = 4_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) sink += parse(inputs[i % POOL]);
  const ns = Number(process.hrtime.bigint() - t0) / count;
  if (sink <= 0) throw new Error('a parser returned no samples');
  return ns;
}

/** Best round of each, rounds interleaved so both see the same machine load (other processes, GC, CPU clock). */
function compare(inputs: Array<Buffer | string>): { ours: number; sdk: number } {
  for (let i = 0; i < 5; i++) {
    round(ours, inputs);
    round(sdk, inputs);
  }
  const best = { ours: Infinity, sdk: Infinity };
  const deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    best.ours = Math.min(best.ours, round(ours, inputs));
    best.sdk = Math.min(best.sdk, round(sdk, inputs));
  }
  return best;
}

console.log(`AudioData parse + decode, ns/packet (best round of ${SECONDS} s, interleaved; node ${process.version})`);
console.log('rate   input     ours     sdk   ours/sdk');
for (const rate of [16000, 24000] as const) {
  const strings = makePackets(rate);
  const buffers = strings.map((s) => Buffer.from(s));
  for (const [label, inputs] of [['Buffer', buffers], ['string', strings]] as const) {
    const best = compare(inputs);
    console.log(`${rate}  ${label.padEnd(6)}  ${best.ours.toFixed(0).padStart(6)}  ${best.sdk.toFixed(0).padStart(6)}   ${(best.ours / best.sdk).toFixed(2)}`);
  }
}
