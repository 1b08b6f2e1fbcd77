// ws unmasks every frame ACS sends; natively with bufferutil, byte by byte in JavaScript without it. The package
// declares bufferutil as an optional dependency, so on this machine the native path must be the one in use, and a
// server that did not get it says so at start-up with what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { pino } from 'pino';
import { webSocketMasking, JAVASCRIPT_MASKING_ADVICE } from '../../src/server/websocket-masking.js';
import { startServer } from './wire.js';

const nodeMasksNatively = typeof (http as unknown as Record<string, unknown>).websocketMask === 'function';

test('bufferutil is installed, so ws masks and unmasks natively', () => {
  assert.equal(webSocketMasking({}), 'native');
});

test('WS_NO_BUFFER_UTIL turns bufferutil off, as ws reads it', { skip: nodeMasksNatively && 'this Node masks natively itself' }, () => {
  assert.equal(webSocketMasking({ WS_NO_BUFFER_UTIL: '1' }), 'javascript');
});

test('the server logs which masking it got, and warns with the fix when it is JavaScript', { skip: nodeMasksNatively && 'this Node masks natively itself' }, async () => {
  async function startLogs(): Promise<Array<Record<string, unknown>>> {
    const logs: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const { server } = await startServer({ logger });
    await server.close();
    return logs;
  }
  const native = await startLogs();
  assert.equal(native.find((line) => String(line.msg).includes('listening'))?.websocketMasking, 'native');
  assert.equal(native.some((line) => line.msg === JAVASCRIPT_MASKING_ADVICE), false);

  process.env.WS_NO_BUFFER_UTIL = '1';
  try {
    const javascript = await startLogs();
    assert.equal(javascript.find((line) => String(line.msg).includes('listening'))?.websocketMasking, 'javascript');
    const warning = javascript.find((line) => line.msg === JAVASCRIPT_MASKING_ADVICE);
    assert.equal(warning?.level, 40, 'a warning');
    assert.match(JAVASCRIPT_MASKING_ADVICE, /npm install bufferutil/);
  } finally {
    delete process.env.WS_NO_BUFFER_UTIL;
  }
});
