// The voice-agent bridge's error class: an AcsAudioError (src/errors) with the ERR_AGENT_* codes (docs/errors.md).
import { AcsAudioError } from '../errors/index.js';

/** Stable error codes of the agent bridge (catalogued in docs/errors.md). */
export const AgentErrorCode = {
  /** A model URL that is not one of the realtime endpoint shapes (OpenAI, Azure OpenAI, Voice Live). */
  BadModelUrl: 'ERR_AGENT_BAD_MODEL_URL',
  /** Contradictory or out-of-range agent options. */
  BadOptions: 'ERR_AGENT_BAD_OPTIONS',
} as const;
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

/** An error of the agent bridge, with a stable code and the underlying cause. */
export class AgentError extends AcsAudioError<AgentErrorCode> {
  override name = 'AgentError';

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True when `value` is an AgentError (optionally with the given code). */
export function isAgentError(value: unknown, code?: AgentErrorCode): value is AgentError {
  return value instanceof AgentError && (code === undefined || value.code === code);
}
