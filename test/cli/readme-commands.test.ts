import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { cliProgram } from './cli-program.js';

// Every `acs-audio …` command line the README shows (code blocks, with their `\` continuations, and inline code)
// must name a real subcommand and only flags that subcommand's --help lists.
function readmeCommands(markdown: string): string[] {
  const joined = markdown.replace(/\\\n\s*/g, ' ');
  const lines = new Set<string>();
  for (const match of joined.matchAll(/acs-audio((?: +[^\s`#|)]+)+)/g)) lines.add(match[1].trim());
  return [...lines];
}

test("every flag in the README's acs-audio command lines is in that command's --help", async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const root = cliProgram();
  const commands = readmeCommands(readme);
  assert.ok(commands.some((c) => c.startsWith('serve ') && c.includes('--public-url')), 'the real-ACS serve line was found');
  const problems: string[] = [];
  for (const line of commands) {
    const words = line.split(/ +/);
    let command = root;
    let i = 0;
    while (i < words.length) {
      const sub = command.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]));
      if (!sub) break;
      command = sub;
      i++;
    }
    if (command === root) continue; // prose such as "acs-audio toolkit", not a command line
    const help = command.helpInformation();
    for (const word of words.slice(i)) {
      const flag = /^(--?[a-zA-Z][\w-]*)/.exec(word)?.[1];
      if (flag && !new RegExp(`(^|[ ,])${flag}([ ,=<[]|$)`, 'm').test(help)) problems.push(`acs-audio ${command.name()}: ${flag} (in "${line}")`);
    }
  }
  assert.deepEqual(problems, []);
});
