// The shape of Microsoft's own sample server (call-automation "audio streaming" quickstart): it parses every message
// with StreamingData.parse and switches on StreamingData.getStreamingKind(). A whole emulated stream must pass it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { StreamingData, type AudioData, type AudioMetadata, type DtmfData } from '@azure/communication-call-automation';
import { getIdentifierKind } from '@azure/communication-common';
import { createMediaEngine } from '../../../src/emulator/engine/index.js';
import { makeSpec, recordEvents } from './recording-server.js';

test("Microsoft's sample server shape receives a whole unmixed stream with DTMF", async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const seen = { metadata: [] as AudioMetadata[], audio: 0, silent: 0, dtmf: [] as string[], participants: new Set<string>() };
  const closed = new Promise<void>((resolve) => {
    wss.on('connection', (ws) => {
      ws.on('message', (packetData: Buffer) => {
        const decoder = new TextDecoder();
        const stringJson = decoder.decode(packetData);
        const response = StreamingData.parse(stringJson);
        const kind = StreamingData.getStreamingKind();
        if (kind === 'AudioMetadata') seen.metadata.push(response as AudioMetadata);
        else if (kind === 'AudioData') {
          const audio = response as AudioData;
          seen.audio++;
          if (audio.isSilent) seen.silent++;
          if (audio.participant !== undefined) seen.participants.add(getIdentifierKind(audio.participant).kind);
        } else if (kind === 'DtmfData') seen.dtmf.push((response as DtmfData).data);
      });
      ws.on('close', () => resolve());
    });
  });
  const { port } = wss.address() as { port: number };
  const engine = createMediaEngine({ speed: 10 });
  t.after(() => engine.close());
  const spec = makeSpec(`ws://127.0.0.1:${port}/ws`, {
    channel: 'unmixed',
    dtmf: true,
    scenario: {
      durationMs: 2000,
      participants: [
        { rawId: '4:+15551234567', steps: [{ atMs: 1500, dtmf: '9' }] },
        { rawId: '8:acs:3d20e1de-0f28-41c5-84a0-4960fde5f411_0000000b-faeb-c708-99bf-a43a0d0036b0', steps: [] },
      ],
    },
  });
  engine.start(spec, recordEvents());
  await closed;

  assert.equal(seen.metadata.length, 1);
  assert.equal(seen.metadata[0].subscriptionId, 'sub-1');
  assert.equal(seen.metadata[0].sampleRate, 16000);
  assert.equal(seen.audio, 200);
  assert.ok(seen.silent > 0 && seen.silent < 200);
  assert.deepEqual([...seen.participants].sort(), ['communicationUser', 'phoneNumber']);
  assert.deepEqual(seen.dtmf, ['9']);
  await engine.close();
  await new Promise((resolve) => wss.close(resolve));
});
