// `acs-audio demo` (what `npm start` runs): a full local call through the emulator into the media server.
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { DemoError, formatDemoSummary, runDemo, type DemoResult } from './demo-run.js';
import { checkAgentDemoResult, formatAgentDemoSummary, runAgentDemo } from './demo-agent.js';

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
      'Run a whole voice-agent call locally: the emulator, its realtime model and the media server; the emulator\'s ' +
        'caller rings in, an agent (OpenAI Agents SDK over our transport) greets, answers, is interrupted once ' +
        '(truncated at what the caller heard) and hangs up with its end_call tool; prints turns, latencies and ' +
        'recordings. --recording-only runs the recording demo instead (three people, no agent, about 20 s).',
    )
    .addOption(new Option('--recording-only', 'the recording demo: an unmixed call of three scripted people, a greeting and barge-in, no agent').env('ACS_AUDIO_DEMO_RECORDING_ONLY').default(false))
    .addOption(new Option('--recordings <dir>', 'where the WAV files go').env('ACS_AUDIO_RECORDINGS').default('./recordings'))
    .addOption(new Option('--speed <factor>', 'emulator speed for --recording-only; 1 = real time (about 20 s). The agent call runs in real time (about 15 s)').env('ACS_AUDIO_DEMO_SPEED').default('1'))
    .addOption(new Option('--port <port>', 'media server port (0 = any free port)').env('ACS_AUDIO_PORT').default('0'))
    .addOption(new Option('--keep-open', 'keep the media server and its dashboard running after the call (Ctrl-C to stop)').env('ACS_AUDIO_DEMO_KEEP_OPEN').default(false))
    .addOption(new Option('--json', 'print the result as JSON instead of a table').env('ACS_AUDIO_DEMO_JSON').default(false))
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
      const logger = pino({ level: 'warn' }, pino.destination(2));
      const common = { recordingsDir: flags.recordings, port, keepOpen: flags.keepOpen, progress: progressPrinter(), logger };
      if (flags.recordingOnly) {
        await runAndReport(() => runDemo({ ...common, speed }), formatDemoSummary, checkDemoResult, flags);
      } else {
        await runAndReport(() => runAgentDemo(common), formatAgentDemoSummary, checkAgentDemoResult, flags);
      }
    });
}

/** Runs one demo, prints its summary (or JSON), checks it, and closes it or keeps it open until a signal. */
async function runAndReport<R extends { dashboardUrl: string; close: () => Promise<void> }>(
  run: () => Promise<R>,
  format: (result: R) => string,
  check: (result: R) => string[],
  flags: { keepOpen: boolean; json: boolean },
): Promise<void> {
  let result: R;
  try {
    result = await run();
  } catch (error) {
    const message = error instanceof DemoError ? error.message : (error as Error).stack ?? String(error);
    console.error(`\nacs-audio demo failed while ${message}`);
    process.exitCode = 1;
    return;
  }
  console.log(flags.json ? JSON.stringify({ ...result, close: undefined }, null, 2) : format(result));
  const problems = check(result);
  if (problems.length > 0) {
    console.error(`\nacs-audio demo: the call ran but something is wrong:\n  - ${problems.join('\n  - ')}`);
    process.exitCode = 1;
  }
  if (!flags.keepOpen) return result.close();
  console.log(`\ndashboard: ${result.dashboardUrl}  (Ctrl-C to stop)`);
  const stop = () => void result.close().then(() => process.exit(process.exitCode ?? 0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
