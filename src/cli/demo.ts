// `acs-audio demo` (what `npm start` runs): a full local call through the emulator into the media server.
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { DemoError, formatDemoSummary, runDemo, type DemoResult } from './demo-run.js';

/** Checks that the chain really worked; returns what is wrong, if anything. */
export function checkDemoResult(result: DemoResult): string[] {
  const problems: string[] = [];
  const s = result.session;
  if (s.participants.length < 3) problems.push(`expected 3 participants' tracks, got ${s.participants.length}`);
  if (s.counts.framesReceived === 0) problems.push('the server received no audio frames');
  if (!s.recordingDir) problems.push('no recording folder was written');
  if (result.playback.outboundFrames === 0) problems.push('the emulator heard none of the greeting (talk-back)');
  if (result.dtmf.length === 0) problems.push('the DTMF digit did not arrive');
  return problems;
}

function progressPrinter(): (line: string, final?: boolean) => void {
  const tty = process.stdout.isTTY;
  let last = 0;
  return (line, final = false) => {
    if (tty) {
      process.stdout.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    } else if (final || Date.now() - last > 5000) {
      last = Date.now();
      console.log(line);
    }
  };
}

/** Adds the `demo` subcommand. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run a whole call locally: start the emulator and the media server, place an unmixed bidirectional call through ' +
        'the official SDK, let three scripted people talk (overlap, silence, a DTMF digit), greet them and stop on ' +
        'barge-in, hang up, and print what was recorded.',
    )
    .addOption(new Option('--recordings <dir>', 'where the WAV files go').env('ACS_AUDIO_RECORDINGS').default('./recordings'))
    .addOption(new Option('--speed <factor>', 'emulator speed; 1 = real time (about 20 s)').env('ACS_AUDIO_DEMO_SPEED').default('1'))
    .addOption(new Option('--port <port>', 'media server port (0 = any free port)').env('ACS_AUDIO_PORT').default('0'))
    .option('--keep-open', 'keep the media server and its dashboard running after the call (Ctrl-C to stop)', false)
    .option('--json', 'print the result as JSON instead of a table', false)
    .action(async (flags) => {
      const speed = Number(flags.speed);
      const port = Number(flags.port);
      if (!(speed > 0) || !Number.isFinite(speed)) {
        console.error(`acs-audio demo: --speed must be a positive number, got "${flags.speed}"`);
        process.exitCode = 2;
        return;
      }
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(`acs-audio demo: --port must be 0-65535, got "${flags.port}"`);
        process.exitCode = 2;
        return;
      }
      let result: DemoResult;
      try {
        result = await runDemo({
          recordingsDir: flags.recordings,
          speed,
          port,
          keepOpen: flags.keepOpen,
          progress: progressPrinter(),
          logger: pino({ level: 'warn' }, pino.destination(2)),
        });
      } catch (error) {
        const message = error instanceof DemoError ? error.message : (error as Error).stack ?? String(error);
        console.error(`\nacs-audio demo failed while ${message}`);
        process.exitCode = 1;
        return;
      }
      console.log(flags.json ? JSON.stringify({ ...result, close: undefined }, null, 2) : formatDemoSummary(result));
      const problems = checkDemoResult(result);
      if (problems.length > 0) {
        console.error(`\nacs-audio demo: the call ran but something is wrong:\n  - ${problems.join('\n  - ')}`);
        process.exitCode = 1;
      }
      if (flags.keepOpen) {
        console.log(`\ndashboard: ${result.dashboardUrl}  (Ctrl-C to stop)`);
        const stop = () => void result.close().then(() => process.exit(process.exitCode ?? 0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } else {
        await result.close();
      }
    });
}
