// `acs-audio emulator`: placeholder until its issue lands.
import type { Command } from 'commander';

/** Adds the `emulator` subcommand. */
export function registerEmulator(program: Command): void {
  program.command('emulator').description('(not yet available)').action(() => {
    console.error('acs-audio emulator: not implemented yet');
    process.exitCode = 2;
  });
}
