// The URL → provider and auth-header choice (pure): OpenAI takes Bearer, Azure OpenAI and Voice Live take api-key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAgentError, modelEndpoint } from '../../src/agent/index.js';

test('modelEndpoint: the three providers (and Azure GA) get their header and model', () => {
  const openai = modelEndpoint('wss://api.openai.com/v1/realtime?model=gpt-realtime', 'sk-1');
  assert.deepEqual([openai.provider, openai.model, openai.headers], ['openai', 'gpt-realtime', { Authorization: 'Bearer sk-1' }]);
  const azure = modelEndpoint('wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=my-rt', 'k2');
  assert.deepEqual([azure.provider, azure.model, azure.headers], ['azure-openai', 'my-rt', { 'api-key': 'k2' }]);
  const ga = modelEndpoint('wss://res.openai.azure.com/openai/v1/realtime?model=my-rt', 'k3');
  assert.deepEqual([ga.provider, ga.model, ga.headers], ['azure-openai-ga', 'my-rt', { 'api-key': 'k3' }]);
  const live = modelEndpoint('wss://res.services.ai.azure.com/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime', 'k4');
  assert.deepEqual([live.provider, live.model, live.headers], ['voice-live', 'gpt-realtime', { 'api-key': 'k4' }]);
  assert.equal(modelEndpoint('ws://127.0.0.1:9999/v1/realtime?model=m', 'k').provider, 'openai', 'ws:// on loopback (the local stand-in)');
});

test('modelEndpoint: wrong URLs and a missing key fail with ERR_AGENT_* and say what to use', () => {
  const cases: Array<[string, string, string]> = [
    ['not a url', 'k', 'ERR_AGENT_BAD_MODEL_URL'],
    ['ws://api.openai.com/v1/realtime?model=m', 'k', 'ERR_AGENT_BAD_MODEL_URL'],
    ['https://api.openai.com/v1/realtime?model=m', 'k', 'ERR_AGENT_BAD_MODEL_URL'],
    ['wss://api.openai.com/v1/realtime', 'k', 'ERR_AGENT_BAD_MODEL_URL'],
    ['wss://res.openai.azure.com/openai/realtime?deployment=d', 'k', 'ERR_AGENT_BAD_MODEL_URL'],
    ['wss://res.services.ai.azure.com/voice-live/realtime?model=m', 'k', 'ERR_AGENT_BAD_MODEL_URL'],
    ['wss://example.com/chat', 'k', 'ERR_AGENT_BAD_MODEL_URL'],
    ['wss://api.openai.com/v1/realtime?model=m', '', 'ERR_AGENT_BAD_OPTIONS'],
  ];
  for (const [url, key, code] of cases) {
    assert.throws(() => modelEndpoint(url, key), (e: unknown) => isAgentError(e) && e.code === code && /wss:|API key/.test(e.message), url);
  }
});
