// Which header carries the key for each realtime URL shape, and clear refusals for URLs that are none of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAgentError, modelEndpoint } from '../../src/agent/index.js';

test('OpenAI, Azure OpenAI (preview and GA) and Voice Live URLs get their own auth header', () => {
  const openai = modelEndpoint('wss://api.openai.com/v1/realtime?model=gpt-realtime', 'k1');
  assert.deepEqual([openai.provider, openai.model, openai.headers], ['openai', 'gpt-realtime', { Authorization: 'Bearer k1' }]);
  const azure = modelEndpoint('wss://r.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt', 'k2');
  assert.deepEqual([azure.provider, azure.model, azure.headers], ['azure-openai', 'rt', { 'api-key': 'k2' }]);
  const ga = modelEndpoint('wss://r.openai.azure.com/openai/v1/realtime?model=rt', 'k3');
  assert.deepEqual([ga.provider, ga.model, ga.headers], ['azure-openai-ga', 'rt', { 'api-key': 'k3' }]);
  const live = modelEndpoint('wss://r.services.ai.azure.com/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime', 'k4');
  assert.deepEqual([live.provider, live.model, live.headers], ['voice-live', 'gpt-realtime', { 'api-key': 'k4' }]);
  assert.equal(modelEndpoint('ws://127.0.0.1:9/v1/realtime?model=m', 'k').provider, 'openai', 'ws:// on loopback (the stand-in)');
});

test('bad model URLs are refused with ERR_AGENT_BAD_MODEL_URL and say what to use', () => {
  for (const url of ['not a url', 'ws://api.openai.com/v1/realtime?model=m', 'wss://api.openai.com/v1/chat', 'wss://api.openai.com/v1/realtime', 'wss://r.openai.azure.com/openai/realtime?deployment=rt']) {
    assert.throws(() => modelEndpoint(url, 'k'), (e: unknown) => isAgentError(e, 'ERR_AGENT_BAD_MODEL_URL') && /wss:\/\/|not a URL/.test((e as Error).message), url);
  }
  assert.throws(() => modelEndpoint('wss://api.openai.com/v1/realtime?model=m', ''), (e: unknown) => isAgentError(e, 'ERR_AGENT_BAD_OPTIONS'));
});
