// Verbatim packets from docs/protocol.md §1 (each one quoted there from public docs, SDK sources or captures).
// Kept byte for byte: tests parse them, compare with the official SDK, and re-serialize them exactly.

/** A wire packet and where it was published. */
export interface Fixture {
  name: string;
  source: string;
  text: string;
}

export const DOC_PACKETS: readonly Fixture[] = [
  {
    name: 'audioMetadata',
    source: 'docs/protocol.md §1 AudioMetadata',
    text: '{"kind":"AudioMetadata","audioMetadata":{"subscriptionId":"89e8cb59-b991-48b0-b154-1db84f16a077","encoding":"PCM","sampleRate":16000,"channels":1,"length":640}}',
  },
  {
    name: 'audioData',
    source: 'docs/protocol.md §1 AudioData (a published example: 640 bytes, 20 ms at 16 kHz)',
    text: '{"kind":"AudioData","audioData":{"timestamp":"2022-10-03T19:16:12.925Z","participantRawID":"8:acs:3d20e1de-0f28-41c5-84a0-4960fde5f411_0000000b-faeb-c708-99bf-a43a0d0036b0","data":"5ADwAOMA6AD0AOIA4ADkAN8AzwDUANEAywC+ALQArgC0AKYAnACJAIoAlACWAJ8ApwCiAKkAqgCqALUA0wDWANAA3QDVAN0A8wDzAPAA7wDkANkA1QDPAPIA6QDmAOcA0wDYAPMA8QD8AP0AAwH+AAAB/QAAAREBEQEDAQoB9wD3APsA7gDxAPMA7wDpAN0A6gD5APsAAgEHAQ4BEAETARsBMAFHAUABPgE2AS8BKAErATEBLwE7ASYBGQEAAQcBBQH5AAIBBwEMAQ4BAAH+APYA6gDzAPgA7gDkAOUA3wDcANQA2gDWAN8A3wDcAMcAxwDIAMsA1wDfAO4A3wDUANQA3wDvAOUA4QDpAOAA4ADhAOYA5wDkAOUA1gDxAOcA4wDpAOEA4gD0APoA7wD9APkA6ADwAPIA7ADrAPEA6ADfANQAzQDLANIAzwDaANcA3QDZAOQA4wDXANwA1ADbAOsA7ADyAPkA7wDiAOIA6gDtAOsA7gDeAOIA4ADeANUA6gD1APAA8ADgAOQA5wDgAPgA8ADnAN8A5gDgAOoA6wDcAOgA2gDZANUAyQDPANwA3gDgAO4A8QDyAAQBEwEDAewA+gDpAN4A6wDeAO8A8QDwAO8ABAEKAQUB/gD5AAMBAwEIARoBFAEeARkBDgH8AP0A+gD8APcA+gDrAO0A5wDcANEA0QDHAM4A0wDUAM4A0wDZANQAxgDSAM4A1ADVAOMA4QDhANUA2gDjAOYA5wDrANQA5wDrAMsAxQDWANsA5wDpAOEA4QDFAMoA0QDKAMgAwgDNAMsAwgCwAKkAtwCrAKoAsACgAJ4AlQCeAKAAoQCmAKwApwCsAK0AnQCVAA==","silent":false}}',
  },
  {
    name: 'dtmfData',
    source: 'docs/protocol.md §1 DtmfData',
    text: '{"kind":"DtmfData","dtmfData":{"data":"3"}}',
  },
  {
    name: 'transcriptionMetadata',
    source: 'docs/protocol.md §1 TranscriptionMetadata / TranscriptionData',
    text: '{"kind":"TranscriptionMetadata","transcriptionMetadata":{"subscriptionId":"0000a000-9999-5555-ae00-cd00e0bc0000","locale":"en-US","callConnectionId":"6d09449c-6677-4f91-8cb7-012c338e6ec1","correlationId":"6d09449c-6677-4f91-8cb7-012c338e6ec1","speechRecognitionModelEndpointId":"0000a000-9999-5555-ae00-cd00e0bc0001"}}',
  },
  {
    name: 'transcriptionData',
    source: 'docs/protocol.md §1 TranscriptionMetadata / TranscriptionData',
    text: '{"kind":"TranscriptionData","transcriptionData":{"text":"Hello everyone.","format":"display","confidence":0.922650933265686,"offset":212483227,"duration":9600000,"words":[{"text":"hello","offset":212483227,"duration":2800000},{"text":"everyone","offset":215283227,"duration":6800000}],"participantRawID":"4:+000000000000","resultStatus":"Final"}}',
  },
];

/** The fixture of a kind (by the body key, e.g. `audioData`). */
export function docPacket(name: string): string {
  const found = DOC_PACKETS.find((fixture) => fixture.name === name);
  if (found === undefined) throw new Error(`no fixture ${name}`);
  return found.text;
}
