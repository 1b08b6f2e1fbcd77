// A media server node in its own process, so a test can SIGKILL it: prints {"url","wsUrl"} on stdout once listening.
// Usage: node --import tsx test/scale/nats-node-child.ts <natsUrl> <nodeId> <recordingsDir>
import { pino } from 'pino';
import { createMediaServer } from '../../src/server/index.js';

const [natsUrl, nodeId, recordingsDir] = process.argv.slice(2);
const server = createMediaServer({
  port: 0,
  recordingsDir,
  logger: pino({ level: 'silent' }),
  nats: { url: natsUrl, nodeId, heartbeatMs: 300, nodeTtlMs: 1200 },
});
const { url, wsUrl } = await server.listen();
process.stdout.write(`${JSON.stringify({ url, wsUrl })}\n`);
