// The model's WebSocket as the Agents SDK sees it (its `createWebSocket` hook): the `ws` client with the provider's
// auth header (model-endpoint.ts), preview (beta) event names rewritten to the GA names the SDK parses, and a hook
// that sees every message before the SDK does, so barge-in sends StopAudio before the SDK's own parsing runs.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

/** Preview names Azure deployments still send → the GA names (docs/voice-agents.md). */
const BETA_TO_GA: Record<string, string> = {
  'response.audio.delta': 'response.output_audio.delta',
  'response.audio.done': 'response.output_audio.done',
  'response.audio_transcript.delta': 'response.output_audio_transcript.delta',
  'response.audio_transcript.done': 'response.output_audio_transcript.done',
  'response.text.delta': 'response.output_text.delta',
  'response.text.done': 'response.output_text.done',
  'conversation.item.created': 'conversation.item.added',
};
const TYPE_AT_START = /^\{\s*"type"\s*:\s*"([^"]+)"/;
const TYPE_ANYWHERE = /"type"\s*:\s*"([^"]+)"/;

/** Sees each model message first: `type` is the GA event type, `receivedAt` a performance.now() stamp. */
export type InboundHook = (type: string, text: string, receivedAt: number) => void;

type Listener = (event: { data: string; type: string }) => void;

/** The event type of a realtime server message without parsing it (the type is the first field in practice). */
export function eventTypeOf(text: string): string | undefined {
  const m = TYPE_AT_START.exec(text) ?? TYPE_ANYWHERE.exec(text.slice(0, 4096));
  return m?.[1];
}

/** Rewrites a preview event name to its GA twin; returns the text unchanged when it has a GA name already. */
export function toGaEvent(text: string, type: string): { text: string; type: string } {
  const ga = BETA_TO_GA[type];
  if (ga === undefined) return { text, type };
  return { text: text.replace(`"${type}"`, `"${ga}"`), type: ga };
}

/** A `ws` WebSocket wrapped in the surface the SDK uses (addEventListener, send, close). */
export class ModelSocket {
  private readonly ws: WebSocket;
  private readonly messageListeners: Listener[] = [];
  /** Preview-named events rewritten, for the call's stats. */
  betaEvents = 0;

  constructor(url: string, headers: Record<string, string>, options: { ca?: string | Buffer; hook: InboundHook }) {
    this.ws = new WebSocket(url, { headers, ca: options.ca, perMessageDeflate: false });
    const hook = options.hook;
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const receivedAt = performance.now();
      let text = data.toString('utf8');
      let type = eventTypeOf(text) ?? '';
      if (type in BETA_TO_GA) {
        ({ text, type } = toGaEvent(text, type));
        this.betaEvents++;
      }
      hook(type, text, receivedAt);
      const event = { data: text, type: 'message' };
      for (const listener of this.messageListeners) listener(event);
    });
  }

  addEventListener(type: string, listener: Listener): void {
    if (type === 'message') this.messageListeners.push(listener);
    else this.ws.addEventListener(type as 'open', listener as unknown as () => void);
  }

  send(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  close(): void {
    this.ws.close();
  }

  /** Drops the connection without a close handshake (tests, a model that went silent). */
  terminate(): void {
    this.ws.terminate();
  }

  get readyState(): number {
    return this.ws.readyState;
  }
}
