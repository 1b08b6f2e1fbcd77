// docs/realtime-model.md, TypeScript example 1: compiled by `npm run typecheck`, compared with the document by
// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.
export {};
// ---- the example, exactly as the document shows it ----
import { createRealtimeModel } from 'acs-audio-streaming';
import OpenAI, { AzureOpenAI } from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';

const model = createRealtimeModel();
const { url, wssUrl } = await model.listen();
// openai package (only opens wss:)
const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: model.certPem } },
  new OpenAI({ apiKey: model.apiKey, baseURL: wssUrl.replace('wss:', 'https:') + '/v1' }));
// Azure OpenAI
const az = new AzureOpenAI({ apiKey: model.apiKey, endpoint: wssUrl.replace('wss:', 'https:'), apiVersion: '2025-08-28', deployment: 'gpt-realtime' });
const rt2 = await OpenAIRealtimeWS.azure(az, { deploymentName: 'gpt-realtime', options: { ca: model.certPem } });
// Agents SDK
const transport = new OpenAIRealtimeWebSocket({ url: `${url}/v1/realtime?model=gpt-realtime` });
const agent = new RealtimeAgent({ name: 'assistant', instructions: 'Be brief.' });
await new RealtimeSession(agent, { transport }).connect({ apiKey: model.apiKey });
