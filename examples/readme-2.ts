// README.md, TypeScript example 2: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
export {};
// ---- the example, exactly as the document shows it ----
import { createCallClient, createMediaServer, createVoiceAgents } from 'acs-audio-streaming';

const server = createMediaServer({ port: 8080 });
createVoiceAgents({
  server,
  // OpenAI (Bearer):      wss://api.openai.com/v1/realtime?model=gpt-realtime
  // Azure OpenAI (api-key): wss://<resource>.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=<deployment>
  // Voice Live (api-key): wss://<resource>.services.ai.azure.com/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime
  url: process.env.REALTIME_URL!,
  apiKey: process.env.REALTIME_KEY!,
  instructions: 'You answer calls for Contoso. Be brief.',
  callClient: createCallClient(process.env.ACS_CONNECTION_STRING!), // end_call, transfer_call, send_dtmf
  transferTo: ['+15557654321'],
});
await server.listen();
