// docs/voice-agents.md, TypeScript example 1: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
export {};
// ---- the example, exactly as the document shows it ----
import { RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';
import { AcsRealtimeTransportLayer, createMediaServer, createVoiceAgents, createCallClient } from 'acs-audio-streaming';

const server = createMediaServer({ port: 8080 });

// 1. Your own agent, per call: the Agents SDK as usual, with our transport.
server.on('session', async (session) => {
  if (session.sampleRate === undefined) return; // a transcription-only socket
  const agent = new RealtimeAgent({ name: 'Support', instructions: 'You answer calls for Contoso.' });
  const transport = new AcsRealtimeTransportLayer({ session, url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime' });
  await new RealtimeSession(agent, { transport }).connect({ apiKey: process.env.OPENAI_API_KEY! });
});

// 2. Or an agent on every call, with the call tools, reconnects and metrics.
createVoiceAgents({
  server,
  url: 'wss://<resource>.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime',
  apiKey: process.env.AZURE_OPENAI_API_KEY!,
  instructions: 'You answer calls for Contoso. Transfer to a person when asked.',
  callClient: createCallClient(process.env.ACS_CONNECTION_STRING!),
  transferTo: ['+15557654321'],
});
