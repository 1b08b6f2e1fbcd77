// An agent line cut by barge-in keeps the words heard by then.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heardPart } from '../../src/agent/heard-transcript.js';

test('heardPart keeps the share of words heard, marks the cut, and leaves a fully heard line alone', () => {
  const text = 'one two three four five six seven eight nine ten';
  assert.equal(heardPart(text, 5000, 5000), text);
  assert.equal(heardPart(text, 4970, 5000), text, 'all but the last frame heard counts as heard');
  assert.equal(heardPart(text, 2500, 5000), 'one two three four five …');
  assert.equal(heardPart(text, 100, 5000), '…');
  assert.equal(heardPart(text, 0, 0), text);
});
