// `acs-audio emulator`: a local ACS for the official SDK; `acs-audio emulator call-in` rings a running one.
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { createEmulator, type Scenario } from '../emulator/index.js';

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('--port must be 0-65535.');
  return n;
}

async function loadScenario(path: string): Promise<Scenario> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the scenario ${path}: ${(error as Error).message}`, { cause: error });
  }
  const scenario = value as Scenario;
  if (!Array.isArray(scenario?.participants) || scenario.participants.some((p) => typeof p?.rawId !== 'string' || !Array.isArray(p.steps))) {
    throw new Error(`the scenario ${path} must be {"participants": [{"rawId": "4:+1555...", "steps": [...]}, ...]}`);
  }
  return scenario;
}

/** Adds the `emulator` subcommand and its `call-in` child. */
export function registerEmulator(program: Command): void {
  const emulator = program
    .command('emulator')
    .description(
      'Run a local ACS Call Automation endpoint: the official SDK works against the connection string it prints, ' +
        'and calls stream real speech to your WebSocket server.',
    )
    .addOption(new Option('--host <host>', 'interface to listen on').env('ACS_EMULATOR_HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on').env('ACS_EMULATOR_PORT').default(5050).argParser(port))
    .addOption(new Option('--access-key <key>', 'base64 access key of the connection string (default: random)').env('ACS_EMULATOR_ACCESS_KEY'))
    .addOption(new Option('--speed <factor>', 'media speed; 2 streams twice as fast as real time').env('ACS_EMULATOR_SPEED').default(1).argParser(positiveNumber('--speed')))
    .addOption(new Option('--scenario <file>', 'JSON scenario: who is in each call, what they say and when, DTMF, faults').env('ACS_EMULATOR_SCENARIO'))
    .addOption(new Option('--event-grid-webhook <url>', 'where incoming calls are delivered, e.g. http://127.0.0.1:8080/api/incoming-call').env('ACS_EMULATOR_EVENT_GRID_WEBHOOK'))
    .addOption(new Option('--resource-id <guid>', 'ACS resource ID used as the JWT audience (default: random)').env('ACS_EMULATOR_RESOURCE_ID'))
    .addOption(new Option('--playback-dir <dir>', 'where what apps play into calls is recorded').env('ACS_EMULATOR_PLAYBACK_DIR'))
    .addOption(new Option('--realtime-port <port>', 'also serve a local OpenAI Realtime model stand-in on this port (ws:// and wss://; 0 = free port)').env('ACS_EMULATOR_REALTIME_PORT').argParser(port))
    .addOption(new Option('--realtime-tls-cert <pem>', 'certificate for the stand-in\'s wss:// (default: self-signed, made at start with openssl)').env('ACS_EMULATOR_REALTIME_TLS_CERT'))
    .addOption(new Option('--realtime-tls-key <pem>', 'private key for --realtime-tls-cert').env('ACS_EMULATOR_REALTIME_TLS_KEY'))
    .addOption(new Option('--realtime-event-names <names>', 'event names the stand-in sends: ga, or beta (response.audio.delta, ...)').choices(['ga', 'beta']).env('ACS_EMULATOR_REALTIME_EVENT_NAMES').default('ga'))
    .addOption(new Option('--admin-remote', 'serve /admin/* to any client, not only loopback (only on a trusted network)').env('ACS_EMULATOR_ADMIN_REMOTE'))
    .addOption(new Option('--log-level <level>', 'log level').choices(['error', 'warn', 'info', 'debug']).env('ACS_EMULATOR_LOG_LEVEL').default('info'))
    .action(async (flags) => {
      const logger = pino({ level: flags.logLevel }, pino.destination(2));
      let instance;
      try {
        instance = createEmulator({
          host: flags.host,
          port: flags.port,
          accessKey: flags.accessKey,
          speed: flags.speed,
          scenario: flags.scenario ? await loadScenario(flags.scenario) : undefined,
          eventGridWebhook: flags.eventGridWebhook,
          resourceId: flags.resourceId,
          playbackDir: flags.playbackDir,
          adminRemote: flags.adminRemote === true,
          realtime: flags.realtimePort === undefined ? undefined : { port: flags.realtimePort, tlsCert: flags.realtimeTlsCert, tlsKey: flags.realtimeTlsKey, eventNames: flags.realtimeEventNames },
          logger,
        });
        const { url, connectionString } = await instance.listen();
        console.log(connectionString);
        const realtime = instance.realtime;
        if (realtime !== undefined) {
          console.log(`realtime model: ${realtime.wssUrl}/openai/v1/realtime?model=<deployment> (also ${realtime.url}; key = the access key; TLS certificate ${realtime.certPath})`);
        }
        logger.info({ url, jwks: instance.jwksUrl, audience: instance.audience }, 'ACS emulator ready: use the connection string above (ACS_CONNECTION_STRING)');
      } catch (error) {
        console.error(`acs-audio emulator: ${(error as Error).message}`);
        process.exitCode = 1;
        return;
      }
      const stop = () => void instance.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  emulator
    .command('call-in')
    .description('Ring a running emulator: it delivers an Event Grid IncomingCall to its webhook (after the validation handshake)')
    .addOption(new Option('--from <phone>', 'caller, e.g. +15550001111').env('ACS_EMULATOR_CALL_IN_FROM').makeOptionMandatory())
    .addOption(new Option('--to <phone>', 'called number, e.g. +15550002222').env('ACS_EMULATOR_CALL_IN_TO').makeOptionMandatory())
    .addOption(new Option('--emulator <url>', 'the running emulator').env('ACS_EMULATOR_URL').default('http://127.0.0.1:5050'))
    .addOption(new Option('--webhook <url>', 'deliver to this webhook instead of the emulator\'s --event-grid-webhook').env('ACS_EMULATOR_CALL_IN_WEBHOOK'))
    .action(async (flags) => {
      try {
        const response = await fetch(`${flags.emulator.replace(/\/$/, '')}/admin/incoming-call`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: flags.from, to: flags.to, webhook: flags.webhook }),
        });
        const body = (await response.json()) as { incomingCallContext?: string; error?: { message: string } };
        if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
        console.log(`incoming call delivered; incomingCallContext ${body.incomingCallContext}`);
      } catch (error) {
        console.error(`acs-audio emulator call-in: ${(error as Error).message}`);
        process.exitCode = 1;
      }
    });
}
