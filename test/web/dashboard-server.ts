// The server the dashboard test talks to: the real media server (createMediaServer) on 127.0.0.1, port 0,
// serving the dashboard from web/dist, the live feed, the recordings API and `/ws` for media sockets.
import { pino } from 'pino';
import { createMediaServer } from '../../src/server/index.js';

export interface DashboardServer {
  httpUrl: string;
  mediaUrl: string;
  recordingsDir: string;
  close(): Promise<void>;
}

/** Starts the media server on 127.0.0.1, port 0. */
export async function startDashboardServer(recordingsDir: string): Promise<DashboardServer> {
  const server = createMediaServer({ port: 0, recordingsDir, logger: pino({ level: 'silent' }), media: { reconnectGraceMs: 0 } });
  const { url, wsUrl } = await server.listen();
  return { httpUrl: `${url}/`, mediaUrl: wsUrl, recordingsDir, close: () => server.close() };
}
