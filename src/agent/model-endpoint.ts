// Which realtime service a URL names, and how that service wants its key: OpenAI takes `Authorization: Bearer`,
// Azure OpenAI (preview and GA paths) and Azure AI Voice Live take an `api-key` header. One small pure function so
// the choice is tested on its own (test/agent/model-endpoint.test.ts).
import { AgentError } from './agent-error.js';

/** The realtime services the bridge speaks to (one WebSocket protocol, three URL shapes). */
export type ModelProvider = 'openai' | 'azure-openai' | 'azure-openai-ga' | 'voice-live';

/** Where to connect and which headers carry the key. */
export interface ModelEndpoint {
  provider: ModelProvider;
  /** The URL, unchanged. */
  url: string;
  /** The model or deployment the URL names (`model=` or `deployment=`). */
  model: string;
  headers: Record<string, string>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function bad(url: string, why: string): never {
  throw new AgentError(
    'ERR_AGENT_BAD_MODEL_URL',
    `The model URL "${url}" ${why}. Use one of: wss://api.openai.com/v1/realtime?model=<model> (OpenAI), ` +
      'wss://<resource>.openai.azure.com/openai/realtime?api-version=<version>&deployment=<deployment> or ' +
      '…/openai/v1/realtime?model=<deployment> (Azure OpenAI), ' +
      'wss://<resource>.services.ai.azure.com/voice-live/realtime?api-version=<version>&model=<model> (Voice Live).',
  );
}

/**
 * Classifies a realtime model URL and returns the headers that authenticate `apiKey` there. The path decides the
 * provider (hosts vary: custom domains, private endpoints, the local stand-in). `ws://` is allowed on loopback only.
 */
export function modelEndpoint(url: string, apiKey: string): ModelEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new AgentError('ERR_AGENT_BAD_MODEL_URL', `The model URL "${url}" is not a URL.`, { cause });
  }
  if (parsed.protocol !== 'wss:' && !(parsed.protocol === 'ws:' && LOOPBACK.has(parsed.hostname))) {
    bad(url, `must start with wss:// (ws:// only on a loopback host, for the local stand-in), not ${parsed.protocol}//`);
  }
  if (!apiKey) throw new AgentError('ERR_AGENT_BAD_OPTIONS', `No API key for the model at ${parsed.host}: pass apiKey.`);
  const path = parsed.pathname.replace(/\/+$/, '');
  const q = parsed.searchParams;
  const azure = { 'api-key': apiKey };
  if (path.endsWith('/openai/v1/realtime')) {
    const model = q.get('model');
    if (!model) bad(url, 'needs ?model=<deployment>');
    return { provider: 'azure-openai-ga', url, model, headers: azure };
  }
  if (path.endsWith('/openai/realtime')) {
    const model = q.get('deployment') ?? q.get('model');
    if (!q.get('api-version')) bad(url, 'needs ?api-version=<version>');
    if (!model) bad(url, 'needs &deployment=<deployment>');
    return { provider: 'azure-openai', url, model, headers: azure };
  }
  if (path.endsWith('/voice-live/realtime')) {
    const model = q.get('model');
    if (!q.get('api-version')) bad(url, 'needs ?api-version=<version>');
    if (!model) bad(url, 'needs &model=<model>');
    return { provider: 'voice-live', url, model, headers: azure };
  }
  if (path.endsWith('/v1/realtime')) {
    const model = q.get('model');
    if (!model) bad(url, 'needs ?model=<model>');
    return { provider: 'openai', url, model, headers: { Authorization: `Bearer ${apiKey}` } };
  }
  return bad(url, `has a path (${path || '/'}) that is no realtime endpoint`);
}
