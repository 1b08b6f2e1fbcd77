// The `acs-audio` command: flags and environment variables become options; each subcommand lives in its own file.
import { Command } from 'commander';
import { registerServe } from './serve.js';
import { registerEmulator } from './emulator.js';
import { registerRepair } from './repair.js';
import { registerCall } from './call.js';
import { registerDemo } from './demo.js';
import { registerTap } from './tap.js';
import { applyEnvConventions } from './env-values.js';
import { tuneGcForStreaming } from '../server/gc-tuning.js';

// This process streams audio: per-frame objects must die young (gc-tuning.ts says why, with the figures).
tuneGcForStreaming();

const program = new Command()
  .name('acs-audio')
  .description('Azure Communication Services audio streaming: media server, local ACS emulator, call control.')
  .showHelpAfterError('(add --help for usage)')
  // A usage error (bad flag or value) exits 2, as the README promises; help and version exit 0.
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  })
  // ACS_AUDIO_DTMF=false leaves --dtmf off; ACS_AUDIO_ALLOWED_ORIGINS=a,b is two origins (env-values.ts).
  .hook('preAction', (_program, command) => applyEnvConventions(command));

registerServe(program);
registerEmulator(program);
registerRepair(program);
registerCall(program);
registerDemo(program);
registerTap(program);

await program.parseAsync(process.argv);
