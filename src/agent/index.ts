// Voice agents on ACS calls: a realtime model (OpenAI, Azure OpenAI, Voice Live) bridged to a media session through
// the OpenAI Agents SDK (docs/voice-agents.md).
export { AcsRealtimeTransportLayer, type AcsRealtimeTransportOptions } from './acs-transport.js';
export { AgentError, AgentErrorCode, isAgentError } from './agent-error.js';
export { createAgentMetrics, type AgentMetrics } from './agent-metrics.js';
export { BridgeStats, type AgentTruncation } from './bridge-stats.js';
export { createCallTools, type CallToolsOptions } from './call-tools.js';
export { modelEndpoint, type ModelEndpoint, type ModelProvider } from './model-endpoint.js';
export {
  attachVoiceAgent,
  createVoiceAgents,
  VoiceAgentCall,
  type SessionSource,
  type VoiceAgentOptions,
  type VoiceAgentState,
  type VoiceAgentToolCall,
  type VoiceAgentCallStats,
  type LatencySummary,
  type VoiceAgents,
} from './voice-agent.js';
