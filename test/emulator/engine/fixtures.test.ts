import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMediaEngineError, listFixtures, loadFixture } from '../../../src/emulator/engine/index.js';

test('four speech fixtures are bundled', () => {
  assert.deepEqual(listFixtures(), ['en-gb-female', 'en-gb-male', 'en-us-female', 'en-us-male']);
});

test('each fixture is a few seconds of 16 kHz speech with word timings inside it, in order', async () => {
  for (const name of listFixtures()) {
    const fixture = await loadFixture(name);
    assert.equal(fixture.sampleRate, 16000);
    assert.ok(fixture.durationMs > 2000 && fixture.durationMs < 4000, `${name}: ${fixture.durationMs} ms`);
    const words = fixture.transcript.words;
    assert.ok(words.length >= 5);
    const endTicks = fixture.durationMs * 10_000;
    words.forEach((word, index) => {
      assert.ok(word.durationTicks > 0);
      assert.ok(word.offsetTicks + word.durationTicks <= endTicks);
      if (index > 0) assert.ok(word.offsetTicks >= words[index - 1].offsetTicks + words[index - 1].durationTicks);
    });
    const spoken = fixture.transcript.text.toLowerCase().replace(/[^a-z' ]/g, '').split(/\s+/);
    assert.deepEqual(words.map((word) => word.text), spoken);
  }
});

test('loading an unknown fixture names the ones that exist', async () => {
  await assert.rejects(loadFixture('../package'), (error) => {
    assert.ok(isMediaEngineError(error, 'FIXTURE_NOT_FOUND'));
    assert.match(error.message, /en-us-male/);
    return true;
  });
});
