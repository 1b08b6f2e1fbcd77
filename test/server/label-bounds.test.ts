import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricValue, startServer } from './wire.js';

test('forged callback event types count as `other` instead of adding a metrics series each', async (t) => {
  const { server, url } = await startServer();
  t.after(() => server.close());
  const events = Array.from({ length: 200 }, (_, i) => ({
    id: `e${i}`,
    source: 'calling/callConnections/c1',
    type: `Microsoft.Communication.Forged${i}`,
    data: { callConnectionId: 'c1' },
    time: '2026-12-02T10:00:00Z',
    specversion: '1.0',
  }));
  events.push({ ...events[0], id: 'real', type: 'Microsoft.Communication.CallConnected' });
  const response = await fetch(`${url}/api/callbacks`, { method: 'POST', body: JSON.stringify(events), headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 200);
  const text = await (await fetch(`${url}/metrics`)).text();
  const series = text.split('\n').filter((l) => l.startsWith('acs_audio_callbacks_total{'));
  assert.equal(metricValue(text, 'acs_audio_callbacks_total', 'type="other"'), 200);
  assert.equal(metricValue(text, 'acs_audio_callbacks_total', 'type="CallConnected"'), 1);
  assert.equal(series.length, 2, series.join('\n'));
});
