// `acs-audio repair`: placeholder until its issue lands.
import type { Command } from 'commander';

/** Adds the `repair` subcommand. */
export function registerRepair(program: Command): void {
  program.command('repair').description('(not yet available)').action(() => {
    console.error('acs-audio repair: not implemented yet');
    process.exitCode = 2;
  });
}
