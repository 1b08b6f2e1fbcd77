import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE_RATES } from '../../src/index.js';

test('the package entry exports the protocol constants', () => {
  assert.deepEqual([...SAMPLE_RATES], [16000, 24000]);
});
