// The `acs-audio` command tree as main.ts builds it, for tests that read its options and help without running it.
import { Command } from 'commander';
import { registerServe } from '../../src/cli/serve.js';
import { registerEmulator } from '../../src/cli/emulator.js';
import { registerRepair } from '../../src/cli/repair.js';
import { registerCall } from '../../src/cli/call.js';
import { registerDemo } from '../../src/cli/demo.js';
import { registerTap } from '../../src/cli/tap.js';

/** A fresh `acs-audio` program with every subcommand registered. */
export function cliProgram(): Command {
  const root = new Command().name('acs-audio');
  for (const register of [registerServe, registerEmulator, registerRepair, registerCall, registerDemo, registerTap]) register(root);
  return root;
}

/** Every command below `root` with its path from the root (`call stream start`), depth first. */
export function allCommands(root: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  const found: Array<{ path: string; command: Command }> = [];
  for (const sub of root.commands) {
    const subPath = [...path, sub.name()];
    found.push({ path: subPath.join(' '), command: sub }, ...allCommands(sub, subPath));
  }
  return found;
}
