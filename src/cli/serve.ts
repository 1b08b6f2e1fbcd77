// `acs-audio serve`: placeholder until its issue lands.
import type { Command } from 'commander';

/** Adds the `serve` subcommand. */
export function registerServe(program: Command): void {
  program.command('serve').description('(not yet available)').action(() => {
    console.error('acs-audio serve: not implemented yet');
    process.exitCode = 2;
  });
}
