// The floor: a bare `ws` server (default options, as a user would start one) that only counts the messages it
// receives. Whatever it costs per frame is the WebSocket's own price; the media server is compared against it.
// Started by bench/run.ts as a child process; answers over IPC (child-process.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { collectGarbage, serveBenchRequests, type TargetSnapshot } from './child-process.js';

/** Byte 14 of `{"kind":"AudioData"...` is `D` (of `AudioMetadata`: `M`); enough to tell frames from metadata. */
const KIND_LETTER_AT = 14;
const LETTER_D = 0x44;

let frames = 0;
let messages = 0;
const http = createServer();
const wss = new WebSocketServer({ server: http, path: '/ws' });

function onMessage(data: RawData): void {
  messages++;
  if ((data as Buffer)[KIND_LETTER_AT] === LETTER_D) frames++;
}

wss.on('connection', (socket: WebSocket) => {
  socket.on('message', onMessage);
});

function snapshot(args: Record<string, unknown>): TargetSnapshot {
  if (args.gc === true) collectGarbage();
  const cpu = process.cpuUsage();
  return {
    cpuUs: cpu.user + cpu.system,
    rssBytes: process.memoryUsage.rss(),
    frames,
    connections: wss.clients.size,
    atMs: performance.now(),
    loopActiveMs: performance.eventLoopUtilization().active,
  };
}

serveBenchRequests(
  {
    async listen() {
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const { port } = http.address() as AddressInfo;
      return { wsUrl: `ws://127.0.0.1:${port}/ws` };
    },
    snapshot,
    /** Nothing to start: the floor keeps no latency figures. */
    beginWindow: () => ({}),
    async drain() {
      while (wss.clients.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      return { frames, messages };
    },
  },
  () => {
    for (const socket of wss.clients) socket.terminate();
    http.close();
  },
);
