// The `acs-audio` command: flags and environment variables become options; each subcommand lives in its own file.
import { Command } from 'commander';
import { registerServe } from './serve.js';
import { registerEmulator } from './emulator.js';
import { registerRepair } from './repair.js';
import { registerCall } from './call.js';

const program = new Command()
  .name('acs-audio')
  .description('Azure Communication Services audio streaming: media server, local ACS emulator, call control.')
  .showHelpAfterError();

registerServe(program);
registerEmulator(program);
registerRepair(program);
registerCall(program);

await program.parseAsync(process.argv);
