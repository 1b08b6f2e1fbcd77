// The OpenAI Agents SDK (RealtimeSession + OpenAIRealtimeWebSocket) against the stand-in: a turn and a tool call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession, tool } from '@openai/agents-realtime';
import { z } from 'zod';
import { createRealtimeModel } from '../../../src/emulator/index.js';
import { waitUntil } from '../../wait-until.js';

test('Agents SDK: RealtimeAgent with one tool sees the tool called with its arguments', async (t) => {
  const model = createRealtimeModel({ script: { greeting: { tool: { name: 'lookup_order', arguments: { order: '42' } } }, turns: [{ clip: 'reply-2' }] } });
  await model.listen();
  t.after(() => model.close());
  const calls: string[] = [];
  const lookup = tool({ name: 'lookup_order', description: 'Looks up an order', parameters: z.object({ order: z.string() }), execute: async ({ order }) => { calls.push(order); return 'shipped'; } });
  const agent = new RealtimeAgent({ name: 'Support', instructions: 'help', tools: [lookup] });
  const transport = new OpenAIRealtimeWebSocket({ url: `${model.url}/v1/realtime?model=gpt-realtime` });
  const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime' });
  t.after(() => session.close());
  await session.connect({ apiKey: model.apiKey });
  transport.sendEvent({ type: 'response.create' });
  await waitUntil(
    () => {
      const rec = model.connections()[0];
      return rec?.toolCalls[0]?.output !== undefined && rec.responses.length >= 2;
    },
    { message: () => `the tool output and a second response: ${JSON.stringify(model.connections()[0])}` },
  );
  assert.deepEqual(calls, ['42']);
  assert.equal(model.connections()[0].toolCalls[0].output, 'shipped');
});
