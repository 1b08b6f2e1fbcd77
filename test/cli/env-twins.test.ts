// The README promises that every option of every command has an environment-variable twin: each option declares
// one (commander's .env, so --help shows it), and the README's Configuration section names it next to its flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { allCommands, cliProgram } from './cli-program.js';

/** Options that must not have a twin (commander's own; they are not in `command.options` today, kept explicit). */
const NO_TWIN = new Set(['--help', '--version']);

/** Variables the Configuration section names that are not an option's twin: read by `serve` itself, or a value. */
const NOT_A_TWIN = new Set([
  'ACS_AUDIO_BLOB_CONNECTION_STRING', // --recordings azblob://: the Blob Storage connection string
  'AZURE_STORAGE_CONNECTION_STRING', // the same, under the Azure SDK's usual name
  'ACS_AUDIO', // --stream's default value (the JetStream stream's name), not a variable
]);

async function configurationSection(): Promise<string> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Configuration');
  assert.ok(start >= 0, 'README has a Configuration section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** `serve`'s table: flag → variable, from rows `| \`--flag\` | \`VAR\` | …`. */
function serveTable(section: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const [, flag, env] of section.matchAll(/^\| `(--[a-z][\w-]*)` \| `([A-Z][A-Z0-9_]*)` \|/gm)) rows.set(flag, env);
  return rows;
}

/** The other commands' lists: "`acs-audio <path>` …: `--flag` (`VAR`, default), …", by command path. */
function commandLists(section: string): Map<string, Map<string, string>> {
  const lists = new Map<string, Map<string, string>>();
  const starts = [...section.matchAll(/^`acs-audio ([a-z][a-z -]*?)`[^:\n]*:/gm)];
  starts.forEach((start, i) => {
    const text = section.slice(start.index, starts[i + 1]?.index ?? section.length);
    const pairs = new Map<string, string>();
    for (const [, flag, env] of text.matchAll(/`(--[a-z][\w-]*)`\s*\(`([A-Z][A-Z0-9_]*)`/g)) pairs.set(flag, env);
    lists.set(start[1], pairs);
  });
  return lists;
}

function commandOptions(): Array<{ path: string; command: Command }> {
  return allCommands(cliProgram()).filter(({ command }) => command.options.length > 0);
}

test('every option of every acs-audio command has an environment-variable twin', () => {
  const missing: string[] = [];
  for (const { path, command } of commandOptions()) {
    for (const option of command.options) {
      if (option.envVar === undefined && !NO_TWIN.has(option.long ?? '')) missing.push(`acs-audio ${path} ${option.long}`);
    }
  }
  assert.deepEqual(missing, []);
});

test("the README's Configuration section names every option's twin next to its flag, and no variable no option reads", async () => {
  const section = await configurationSection();
  const table = serveTable(section);
  const lists = commandLists(section);
  const problems: string[] = [];
  const twins = new Set<string>();
  for (const { path, command } of commandOptions()) {
    for (const option of command.options) {
      const flag = option.long ?? '';
      if (option.envVar === undefined) continue; // the test above reports it
      twins.add(option.envVar);
      // A flag is documented on its command's own list, or on an ancestor's (`acs-audio call` for every call command).
      const ancestors = path.split(' ').map((_, i, words) => words.slice(0, i + 1).join(' '));
      const documented = path === 'serve' ? table.get(flag) : ancestors.map((p) => lists.get(p)?.get(flag)).find((env) => env !== undefined);
      if (documented === undefined) problems.push(`acs-audio ${path} ${flag}: not in the README (its twin is ${option.envVar})`);
      else if (documented !== option.envVar) problems.push(`acs-audio ${path} ${flag}: the README says ${documented}, the command reads ${option.envVar}`);
    }
  }
  for (const [, name] of section.matchAll(/`((?:ACS|AZURE)_[A-Z0-9_]*)`/g)) {
    if (!twins.has(name) && !NOT_A_TWIN.has(name)) problems.push(`the README names ${name}, which no option reads`);
  }
  assert.deepEqual(problems, []);
});

test("every command's --help shows each option's variable", () => {
  const missing: string[] = [];
  for (const { path, command } of commandOptions()) {
    const help = command.helpInformation().replace(/\s+/g, ' '); // unwrapped: a long line may break anywhere
    for (const option of command.options) {
      if (option.envVar !== undefined && !help.includes(`env: ${option.envVar}`)) missing.push(`acs-audio ${path} --help: ${option.envVar}`);
    }
  }
  assert.deepEqual(missing, []);
});
