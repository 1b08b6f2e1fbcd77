// The server the dashboard test talks to: a media hub, the live feed and the recordings API on one http.Server,
// with `/ws` for media sockets and the dashboard from web/dist.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createMediaHub } from '../../src/media/index.js';
import { createLiveFeed } from '../../src/server/live-feed.js';
import { createRecordingsApi } from '../../src/server/recordings-api.js';

export interface DashboardServer {
  httpUrl: string;
  mediaUrl: string;
  recordingsDir: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** Starts the server on 127.0.0.1, port 0. */
export async function startDashboardServer(recordingsDir: string): Promise<DashboardServer> {
  const hub = createMediaHub({ recordingsDir, reconnectGraceMs: 0 });
  const feed = createLiveFeed({ hub });
  const recordings = createRecordingsApi({ root: recordingsDir });
  const media = new WebSocketServer({ noServer: true });
  const server = createServer((req, res) => {
    void recordings.handle(req, res).then(async (handled) => {
      if (handled) return;
      const path = req.url === '/' ? '/index.html' : (req.url ?? '/');
      if (!/^\/(index\.html|assets\/app\.(js|css))$/.test(path)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[extname(path)] }).end(await readFile(join('web', 'dist', path)));
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/api/live') return feed.handleUpgrade(req, socket, head);
    media.handleUpgrade(req, socket, head, (ws) => {
      const conn = hub.connect({
        url: req.url ?? '/',
        remoteAddress: req.socket.remoteAddress,
        headers: req.headers,
        send: (text) => (ws.send(text), true),
        bufferedAmount: () => ws.bufferedAmount,
        close: (code, reason) => ws.close(code, reason),
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => conn.receive(data, isBinary));
      ws.on('close', (code, reason) => conn.closed(code, reason.toString()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    httpUrl: `http://127.0.0.1:${port}/`,
    mediaUrl: `ws://127.0.0.1:${port}/ws`,
    recordingsDir,
    async close() {
      await feed.close();
      await hub.close();
      media.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
