// agent: voice agents on ACS calls — an OpenAI Agents SDK transport over a media session, and the per-call bridge
// (tools, reconnects, fallback, metrics). See ARCHITECTURE.md and docs/voice-agents.md.
export { AcsRealtimeTransportLayer, type AcsRealtimeTransportOptions } from './acs-transport.js';
export {
  attachVoiceAgent,
  createVoiceAgents,
  type SessionSource,
  type VoiceAgentCall,
  type VoiceAgentCallStats,
  type VoiceAgentHost,
  type VoiceAgentOptions,
  type VoiceAgentsOptions,
  type VoiceAgentState,
} from './voice-agent.js';
export { createCallTools, type AgentTool, type CallToolsOptions } from './call-tools.js';
export { createAgentMetrics, type AgentMetrics } from './agent-metrics.js';
export { modelEndpoint, type ModelEndpoint, type ModelProvider } from './model-endpoint.js';
export { AgentError, AgentErrorCode, isAgentError } from './agent-error.js';
export type { AgentTruncation } from './bridge-stats.js';
