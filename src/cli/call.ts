// `acs-audio call ...`: call control through the official SDK (src/calls), against real ACS or the emulator.
import { Command, Option } from 'commander';
import {
  createCallClient,
  createStreamingCall,
  describeCall,
  hangUpCall,
  startStreaming,
  stopStreaming,
} from '../calls/index.js';

interface ConnectionFlags {
  connectionString?: string;
  json?: boolean;
  timeout?: string;
}

function connectionOption(): Option {
  return new Option(
    '--connection-string <cs>',
    'ACS connection string "endpoint=...;accesskey=..." (the emulator prints one)',
  ).env('ACS_CONNECTION_STRING');
}

function timeoutOption(): Option {
  return new Option('--timeout <ms>', 'give up when ACS (or the emulator) has not answered within this long').env('ACS_AUDIO_CALL_TIMEOUT_MS').default('30000');
}

function callbackOption(description: string): Option {
  return new Option('--callback <url>', description).env('ACS_AUDIO_CALL_CALLBACK');
}

function contextOption(description: string): Option {
  return new Option('--context <text>', description).env('ACS_AUDIO_CALL_CONTEXT');
}

function jsonOption(): Option {
  return new Option('--json', 'print JSON').env('ACS_AUDIO_CALL_JSON').default(false);
}

function clientFrom(flags: ConnectionFlags) {
  if (!flags.connectionString) {
    throw new Error(
      'No ACS connection string: pass --connection-string or set ACS_CONNECTION_STRING ' +
        '(Azure portal → Communication Services → Keys, or the line `acs-audio emulator` prints).',
    );
  }
  return createCallClient(flags.connectionString);
}

/** Runs a command body and turns failures (and no answer within --timeout) into one clear line and exit code 1. */
async function run(flags: ConnectionFlags, body: () => Promise<void>): Promise<void> {
  const timeoutMs = Number(flags.timeout ?? 30_000);
  if (!(timeoutMs > 0)) {
    console.error(`acs-audio call: --timeout must be a positive number of ms, got "${flags.timeout}"`);
    process.exitCode = 2;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const endpoint = /endpoint=([^;]+)/i.exec(flags.connectionString ?? '')?.[1] ?? 'the endpoint';
      reject(new Error(`no answer from ${endpoint} within ${timeoutMs} ms: is the endpoint in the connection string right, and is it up?`));
    }, timeoutMs);
  });
  try {
    await Promise.race([body(), timedOut]);
  } catch (error) {
    const err = error as { message?: string; statusCode?: number; code?: string };
    const status = err.statusCode ? ` (HTTP ${err.statusCode}${err.code ? ` ${err.code}` : ''})` : '';
    console.error(`acs-audio call: ${err.message ?? String(error)}${status}`);
    if (err.statusCode === 401) {
      console.error('  → the access key does not match the resource: copy the connection string again.');
    }
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
  }
  // A request that never got an answer would keep the process alive.
  if (process.exitCode === 1) process.exit(1);
}

function print(flags: ConnectionFlags, value: unknown, text: string): void {
  console.log(flags.json ? JSON.stringify(value, null, 2) : text);
}

/** Adds the `call` command group. */
export function registerCall(program: Command): void {
  const call = program.command('call').description('Control calls through the official Call Automation SDK');

  call
    .command('create')
    .description('Place a call with media streaming (and optional live transcription)')
    .addOption(new Option('--to <target>', 'phone number in E.164 form (+15551234567) or an ACS raw ID (8:acs:...)').env('ACS_AUDIO_CALL_TO').makeOptionMandatory())
    .addOption(new Option('--from <phone>', 'caller ID phone number (required by ACS when calling a phone)').env('ACS_AUDIO_CALL_FROM'))
    .addOption(callbackOption('callback URL for call events, e.g. https://<host>/api/callbacks').makeOptionMandatory())
    .addOption(new Option('--stream-url <url>', 'WebSocket URL ACS streams audio to, e.g. wss://<host>/ws').env('ACS_AUDIO_CALL_STREAM_URL').makeOptionMandatory())
    .addOption(new Option('--channel <type>', 'mixed: one stream; unmixed: one per speaker').choices(['mixed', 'unmixed']).env('ACS_AUDIO_CALL_CHANNEL').default('mixed'))
    .addOption(new Option('--format <format>', 'PCM sample rate').choices(['pcm16k', 'pcm24k']).env('ACS_AUDIO_CALL_FORMAT').default('pcm16k'))
    .addOption(new Option('--bidirectional', 'let the server send audio back into the call').env('ACS_AUDIO_CALL_BIDIRECTIONAL').default(false))
    .addOption(new Option('--dtmf', 'stream DTMF tones').env('ACS_AUDIO_CALL_DTMF').default(false))
    .addOption(new Option('--start-now', 'start streaming as soon as the call connects').env('ACS_AUDIO_CALL_START_NOW').default(false))
    .addOption(new Option('--transcription-locale <locale>', 'turn on live transcription in this locale, e.g. en-US').env('ACS_AUDIO_CALL_TRANSCRIPTION_LOCALE'))
    .addOption(contextOption('operation context echoed in events'))
    .addOption(connectionOption())
    .addOption(timeoutOption())
    .addOption(jsonOption())
    .action((flags) =>
      run(flags, async () => {
        const properties = await createStreamingCall(clientFrom(flags), {
          to: flags.to,
          from: flags.from,
          callbackUrl: flags.callback,
          streamUrl: flags.streamUrl,
          channel: flags.channel,
          format: flags.format,
          bidirectional: flags.bidirectional,
          dtmf: flags.dtmf,
          startNow: flags.startNow,
          transcriptionLocale: flags.transcriptionLocale,
          operationContext: flags.context,
        });
        print(
          flags,
          properties,
          `call ${properties.callConnectionId} ${properties.callConnectionState ?? ''}\n` +
            `media streaming subscription ${properties.mediaStreamingSubscription?.id ?? '-'}`,
        );
      }),
    );

  const stream = call.command('stream').description('Start or stop media streaming on a connected call');
  for (const action of ['start', 'stop'] as const) {
    stream
      .command(action)
      .description(`${action === 'start' ? 'Start' : 'Stop'} media streaming`)
      .argument('<callConnectionId>', 'the call, as `call create` printed it')
      .addOption(contextOption('operation context echoed in MediaStreaming events'))
      .addOption(callbackOption('callback URL for this operation only'))
      .addOption(connectionOption())
      .addOption(timeoutOption())
      .action((callConnectionId: string, flags) =>
        run(flags, async () => {
          const operate = action === 'start' ? startStreaming : stopStreaming;
          await operate(clientFrom(flags), callConnectionId, { context: flags.context, callbackUrl: flags.callback });
          console.log(`streaming ${action} requested for ${callConnectionId} (watch for MediaStreaming events)`);
        }),
      );
  }

  call
    .command('hangup')
    .description('Hang up a call for everyone')
    .argument('<callConnectionId>')
    .addOption(connectionOption())
    .addOption(timeoutOption())
    .action((callConnectionId: string, flags) =>
      run(flags, async () => {
        await hangUpCall(clientFrom(flags), callConnectionId);
        console.log(`hung up ${callConnectionId}`);
      }),
    );

  call
    .command('show')
    .description("Show a call's state, streaming subscription and participants")
    .argument('<callConnectionId>')
    .addOption(connectionOption())
    .addOption(timeoutOption())
    .addOption(jsonOption())
    .action((callConnectionId: string, flags) =>
      run(flags, async () => {
        const description = await describeCall(clientFrom(flags), callConnectionId);
        const lines = [
          `call          ${description.callConnectionId} (${description.state})`,
          `correlation   ${description.correlationId ?? '-'}`,
          `streaming     ${description.mediaStreaming?.id ?? '-'} ${description.mediaStreaming?.state ?? ''}`,
          `transcription ${description.transcription?.id ?? '-'} ${description.transcription?.state ?? ''}`,
          'participants',
          ...description.participants.map((p) => `  ${p.rawId}${p.isMuted ? ' (muted)' : ''}${p.isOnHold ? ' (on hold)' : ''}`),
        ];
        print(flags, description, lines.join('\n'));
      }),
    );
}
