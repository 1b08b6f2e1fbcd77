// The dashboard's one WebSocket to /api/live: feeds the model, reconnects with back-off, and plays a track
// through WebAudio when the user asks to listen (the only time PCM crosses the feed).

import type { LiveListening, LiveServerMessage } from './feed-types.js';
import type { LiveModel } from './live-model.js';

/** What the page can ask of the feed. */
export interface LiveClient {
  /** Listen to one track live, or stop listening with no arguments. */
  listen(sessionId?: string, trackId?: string): void;
  /** The track being listened to, if any. */
  listening(): { sessionId: string; trackId: string } | undefined;
}

/** Opens the live feed and keeps it open. */
export function connectLive(model: LiveModel): LiveClient {
  let ws: WebSocket | undefined;
  let retryMs = 500;
  let current: { sessionId: string; trackId: string } | undefined;
  const player = createPcmPlayer();

  function open(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/live`);
    socket.binaryType = 'arraybuffer';
    ws = socket;
    socket.onopen = () => {
      retryMs = 500;
      model.setConnected(true);
      if (current !== undefined) socket.send(JSON.stringify({ type: 'listen', ...current }));
    };
    socket.onmessage = (message: MessageEvent) => {
      if (message.data instanceof ArrayBuffer) {
        player.play(new Int16Array(message.data));
        return;
      }
      const parsed = JSON.parse(String(message.data)) as LiveServerMessage;
      if (parsed.type === 'listening') onListening(parsed);
      else model.apply(parsed);
    };
    socket.onclose = () => {
      model.setConnected(false);
      ws = undefined;
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }

  function onListening(message: LiveListening): void {
    if (message.sessionId === undefined || message.trackId === undefined || message.sampleRate === undefined) {
      current = undefined;
      player.stop();
    } else {
      current = { sessionId: message.sessionId, trackId: message.trackId };
      player.start(message.sampleRate);
    }
    model.setConnected(model.connected);
  }

  open();
  return {
    listen(sessionId, trackId) {
      if (sessionId === undefined || trackId === undefined) {
        current = undefined;
        player.stop();
      }
      ws?.send(JSON.stringify({ type: 'listen', sessionId, trackId }));
      model.setConnected(model.connected);
    },
    listening: () => current,
  };
}

/** Plays PCM16 frames as they come, a little ahead of time so network jitter does not click. */
function createPcmPlayer(): { start(sampleRate: number): void; play(samples: Int16Array): void; stop(): void } {
  let context: AudioContext | undefined;
  let rate = 16000;
  let nextAt = 0;
  return {
    start(sampleRate) {
      rate = sampleRate;
      context ??= new AudioContext();
      void context.resume();
      nextAt = 0;
    },
    play(samples) {
      if (context === undefined || samples.length === 0) return;
      const buffer = context.createBuffer(1, samples.length, rate);
      const channel = buffer.getChannelData(0);
      for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(context.destination);
      const now = context.currentTime;
      if (nextAt < now + 0.02 || nextAt > now + 0.5) nextAt = now + 0.1;
      source.start(nextAt);
      nextAt += buffer.duration;
    },
    stop() {
      void context?.close();
      context = undefined;
    },
  };
}
