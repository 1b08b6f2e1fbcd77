// `serve --agent-*`: flags and environment variables → a voice agent on every call (createVoiceAgents).
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAgentMetrics, createVoiceAgents, modelEndpoint, type SessionSource, type VoiceAgents } from '../agent/index.js';
import { createCallClient } from '../calls/index.js';

/** The parsed `--agent-*` flags (commander's camelCase names). */
export interface AgentFlags {
  agentUrl?: string;
  agentKey?: string;
  agentInstructions?: string;
  agentVoice?: string;
  agentGreeting?: string;
  agentTransferTo?: string[];
}

/** Adds the agent flags to `serve`. */
export function addAgentOptions(command: Command): Command {
  return command
    .addOption(new Option('--agent-url <wss url>', 'attach a voice agent to every call: the realtime model URL (OpenAI, Azure OpenAI or Voice Live; docs/voice-agents.md)').env('ACS_AUDIO_AGENT_URL'))
    .addOption(new Option('--agent-key <key>', 'with --agent-url: the model key (Bearer for OpenAI, api-key for Azure)').env('ACS_AUDIO_AGENT_KEY'))
    .addOption(new Option('--agent-instructions <text|@file>', 'with --agent-url: the agent\'s instructions, or @path to read them from a file').env('ACS_AUDIO_AGENT_INSTRUCTIONS'))
    .addOption(new Option('--agent-voice <voice>', 'with --agent-url: the model voice, e.g. alloy').env('ACS_AUDIO_AGENT_VOICE'))
    .addOption(new Option('--agent-greeting <text>', 'with --agent-url: what the agent says first (default: the model greets in its own words)').env('ACS_AUDIO_AGENT_GREETING'))
    .addOption(new Option('--agent-transfer-to <target...>', 'with --agent-url: phone numbers or raw IDs the transfer_call tool may transfer to (needs --connection-string)').env('ACS_AUDIO_AGENT_TRANSFER_TO'));
}

/** Checks the agent flags; returns what is wrong (empty when fine or when no agent is asked for). */
export function checkAgentFlags(flags: AgentFlags & { connectionString?: string }): string[] {
  const problems: string[] = [];
  const given = Object.entries(flags).filter(([k, v]) => k.startsWith('agent') && k !== 'agentUrl' && v !== undefined);
  if (!flags.agentUrl) {
    if (given.length > 0) problems.push(`--${given[0][0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --agent-url`);
    return problems;
  }
  if (!flags.agentKey) problems.push('--agent-url needs --agent-key (or ACS_AUDIO_AGENT_KEY)');
  try {
    modelEndpoint(flags.agentUrl, flags.agentKey || 'placeholder');
  } catch (error) {
    problems.push(`--agent-url: ${(error as Error).message}`);
  }
  if (flags.agentTransferTo?.length && !flags.connectionString) problems.push('--agent-transfer-to needs --connection-string (transfers go through Call Automation)');
  if (flags.agentInstructions?.startsWith('@')) {
    try {
      readFileSync(flags.agentInstructions.slice(1), 'utf8');
    } catch (error) {
      problems.push(`--agent-instructions ${flags.agentInstructions}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Starts voice agents on `server` when --agent-url is given (flags already checked). */
export function startAgents(
  flags: AgentFlags & { connectionString?: string },
  server: SessionSource & { metrics: { registry: Registry } },
  logger: Logger,
): VoiceAgents | undefined {
  if (!flags.agentUrl || !flags.agentKey) return undefined;
  const instructions = flags.agentInstructions?.startsWith('@') ? readFileSync(flags.agentInstructions.slice(1), 'utf8') : flags.agentInstructions;
  return createVoiceAgents({
    server,
    url: flags.agentUrl,
    apiKey: flags.agentKey,
    instructions,
    voice: flags.agentVoice,
    greeting: flags.agentGreeting,
    transferTo: flags.agentTransferTo,
    callClient: flags.connectionString ? createCallClient(flags.connectionString) : undefined,
    metrics: createAgentMetrics(server.metrics.registry),
    logger,
  });
}
