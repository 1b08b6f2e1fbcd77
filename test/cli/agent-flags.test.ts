// `serve --agent-*`: what is refused before the server starts, and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAgentFlags } from '../../src/cli/agent-options.js';

test('agent flags: nothing asked, nothing wrong; a complete set passes', () => {
  assert.deepEqual(checkAgentFlags({}), []);
  assert.deepEqual(checkAgentFlags({ agentUrl: 'wss://api.openai.com/v1/realtime?model=gpt-realtime', agentKey: 'k' }), []);
  assert.deepEqual(
    checkAgentFlags({ agentUrl: 'wss://r.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=d', agentKey: 'k', agentTransferTo: ['+15557654321'], connectionString: 'endpoint=https://x/;accesskey=a' }),
    [],
  );
});

test('agent flags: a flag without --agent-url, a missing key, a bad URL, a transfer without a connection string, a missing @file', () => {
  assert.match(checkAgentFlags({ agentKey: 'k' }).join(), /--agent-key needs --agent-url/);
  assert.match(checkAgentFlags({ agentUrl: 'wss://api.openai.com/v1/realtime?model=m' }).join(), /needs --agent-key/);
  assert.match(checkAgentFlags({ agentUrl: 'https://api.openai.com/v1/realtime?model=m', agentKey: 'k' }).join(), /--agent-url: .*wss:\/\//);
  assert.match(checkAgentFlags({ agentUrl: 'wss://api.openai.com/v1/realtime?model=m', agentKey: 'k', agentTransferTo: ['+1555'] }).join(), /needs --connection-string/);
  assert.match(checkAgentFlags({ agentUrl: 'wss://api.openai.com/v1/realtime?model=m', agentKey: 'k', agentInstructions: '@/no/such/prompt.txt' }).join(), /--agent-instructions @\/no\/such\/prompt.txt: ENOENT/);
});
