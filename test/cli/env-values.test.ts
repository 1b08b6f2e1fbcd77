// Switch and list variables read as people write them: ACS_AUDIO_DTMF=false leaves --dtmf off, a list's variable
// holds several values. Unit tests on a real commander Command, and one run of `acs-audio` itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { applyEnvConventions } from '../../src/cli/env-values.js';
import { encodeWav, readWav } from '../../src/audio/index.js';
import { tempDirUntilExit } from '../temp-dir.js';

/** Parses no arguments with `env` as the process environment, as main.ts does (its preAction hook included). */
function parseWith(env: Record<string, string>, t: { after(fn: () => void): void }): Record<string, unknown> {
  for (const [name, value] of Object.entries(env)) {
    const before = process.env[name];
    process.env[name] = value;
    t.after(() => (before === undefined ? delete process.env[name] : (process.env[name] = before)));
  }
  let seen: Record<string, unknown> = {};
  new Command()
    .exitOverride()
    .addOption(new Option('--dtmf', 'a switch').env('T_DTMF'))
    .addOption(new Option('--quiet', 'a switch with a default').env('T_QUIET').default(false))
    .addOption(new Option('--no-start-now', 'a negated switch').env('T_NO_START_NOW'))
    .addOption(new Option('--origin <url...>', 'a list').env('T_ORIGINS'))
    .addOption(new Option('--port <n>', 'a value').env('T_PORT'))
    .hook('preAction', (command) => applyEnvConventions(command))
    .action((flags: Record<string, unknown>) => {
      seen = flags;
    })
    .parse([], { from: 'user' });
  return seen;
}

test("a switch's variable set to empty, 0, false, no or off leaves it off; any other value turns it on", (t) => {
  for (const off of ['', '0', 'false', 'FALSE', ' no ', 'off']) {
    const flags = parseWith({ T_DTMF: off, T_QUIET: off, T_NO_START_NOW: off }, t);
    assert.deepEqual([flags.dtmf, flags.quiet, flags.startNow], [undefined, false, true], `"${off}"`);
  }
  for (const on of ['1', 'true', 'yes', 'on']) {
    const flags = parseWith({ T_DTMF: on, T_QUIET: on, T_NO_START_NOW: on }, t);
    assert.deepEqual([flags.dtmf, flags.quiet, flags.startNow], [true, true, false], `"${on}"`);
  }
});

test("a list's variable holds values separated by commas or spaces; other values are kept whole", (t) => {
  const flags = parseWith({ T_ORIGINS: 'https://a.example, https://b.example  https://c.example', T_PORT: '8080, 9090' }, t);
  assert.deepEqual(flags.origin, ['https://a.example', 'https://b.example', 'https://c.example']);
  assert.equal(flags.port, '8080, 9090');
});

function acsAudio(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

test('acs-audio applies it: ACS_AUDIO_REPAIR_DRY_RUN=false repairs, ACS_AUDIO_REPAIR_DRY_RUN=1 only reports', async () => {
  const dir = await tempDirUntilExit('env-values-');
  const path = join(dir, 'cut.wav');
  await writeFile(path, encodeWav(new Int16Array(1600).fill(100), 16000));
  await truncate(path, 44 + 640);
  assert.match(await acsAudio(['repair', dir], { ACS_AUDIO_REPAIR_DRY_RUN: '1' }), /would repair/);
  const untouched = await readFile(path);
  assert.throws(() => readWav(untouched), /cut short/, 'a dry run left the file cut short');
  assert.match(await acsAudio(['repair', dir], { ACS_AUDIO_REPAIR_DRY_RUN: 'false' }), /^repaired /m);
  assert.equal(readWav(await readFile(path)).samples.length, 320);
});
