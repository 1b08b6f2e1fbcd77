// `acs-audio serve`: flags and environment variables → createMediaServer options; graceful stop on SIGTERM/SIGINT.
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { blobConnectionStringFrom, parseRecordingsTarget, type RecordingsTarget } from '../recordings-storage/index.js';
import { addAgentOptions, checkAgentFlags, startAgents } from './agent-options.js';
import { checkWorkerFlags, parseWorkers, runPrimary, workerLinkFromEnvironment } from './serve-workers.js';
import { checkRecordingsFolder } from '../media/index.js';
import { createMediaServer, ACS_JWKS_URL, ACS_JWT_ISSUER, type MediaServerOptions } from '../server/index.js';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** Adds the `serve` subcommand. */
export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description(
      'Run the media server: ACS connects to ws://<host>:<port>/ws; callbacks go to /api/callbacks; Event Grid ' +
        'incoming calls to /api/incoming-call; dashboard at /, metrics at /metrics.',
    )
    .addOption(new Option('--host <host>', 'interface to listen on (0.0.0.0 for all)').env('ACS_AUDIO_HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on').env('ACS_AUDIO_PORT').default(8080).argParser(integer('--port', 0, 65535)))
    .addOption(
      new Option('--recordings <target>', 'a folder, "none" to record nothing, or azblob://<container>[/<prefix>] to upload finished sessions to Blob Storage (connection string in ACS_AUDIO_BLOB_CONNECTION_STRING or AZURE_STORAGE_CONNECTION_STRING)')
        .env('ACS_AUDIO_RECORDINGS')
        .default('./recordings'),
    )
    .addOption(new Option('--spool <dir>', 'with azblob://: where sessions are recorded and kept until uploaded (a Blob outage loses nothing)').env('ACS_AUDIO_SPOOL').default('./recordings-spool'))
    .addOption(new Option('--public-url <url>', 'public https URL ACS reaches this server at (a devtunnel/ngrok URL)').env('ACS_AUDIO_PUBLIC_URL'))
    .addOption(new Option('--allow-open-dashboard', 'with --public-url but no --api-token: start anyway, leaving the dashboard, recordings and talk-back API open to anyone who finds the URL').env('ACS_AUDIO_ALLOW_OPEN_DASHBOARD'))
    .addOption(new Option('--allowed-origin <origin...>', 'further browser origins allowed to use the dashboard API and live feed (default: only this server\'s own)').env('ACS_AUDIO_ALLOWED_ORIGINS'))
    .addOption(new Option('--connection-string <cs>', 'ACS connection string; lets the server answer incoming calls').env('ACS_CONNECTION_STRING'))
    .addOption(new Option('--channel <type>', 'answered calls: mixed or unmixed audio').choices(['mixed', 'unmixed']).env('ACS_AUDIO_CHANNEL').default('mixed'))
    .addOption(new Option('--format <format>', 'answered calls: PCM rate').choices(['pcm16k', 'pcm24k']).env('ACS_AUDIO_FORMAT').default('pcm16k'))
    .addOption(new Option('--bidirectional', 'answered calls: enable talk-back').env('ACS_AUDIO_BIDIRECTIONAL'))
    .addOption(new Option('--dtmf', 'answered calls: stream DTMF tones').env('ACS_AUDIO_DTMF'))
    .addOption(new Option('--no-start-now', 'answered calls: do not start streaming at answer time (start it with `acs-audio call stream start`)').env('ACS_AUDIO_NO_START_NOW'))
    .addOption(
      new Option('--auth <mode>', 'verify the JWT ACS sends on WebSocket upgrades and callbacks (default: jwt with a real ACS connection string or when --audience, --jwks-url or --issuer is given, else off)')
        .choices(['jwt', 'off'])
        .env('ACS_AUDIO_AUTH'),
    )
    .addOption(new Option('--jwks-url <url>', 'where signing keys are published').env('ACS_AUDIO_JWKS_URL').default(ACS_JWKS_URL))
    .addOption(new Option('--issuer <iss>', 'expected JWT issuer').env('ACS_AUDIO_JWT_ISSUER').default(ACS_JWT_ISSUER))
    .addOption(new Option('--audience <id>', "expected JWT audience: the ACS resource's immutable resource ID").env('ACS_AUDIO_JWT_AUDIENCE'))
    .addOption(new Option('--max-payload <bytes>', 'largest WebSocket message (closed with 1009 above)').env('ACS_AUDIO_MAX_PAYLOAD').default(65536).argParser(integer('--max-payload', 1024, 64 * 1024 * 1024)))
    .addOption(new Option('--max-connections <n>', 'sockets at once (HTTP 503 above)').env('ACS_AUDIO_MAX_CONNECTIONS').default(2000).argParser(integer('--max-connections', 1, 1_000_000)))
    .addOption(new Option('--idle-timeout <ms>', 'close a socket with no packet for this long (4000)').env('ACS_AUDIO_IDLE_TIMEOUT_MS').default(60_000).argParser(integer('--idle-timeout', 100, 86_400_000)))
    .addOption(new Option('--ping-interval <ms>', 'ping sockets this often; a missed pong terminates (4001)').env('ACS_AUDIO_PING_INTERVAL_MS').default(30_000).argParser(integer('--ping-interval', 100, 3_600_000)))
    .addOption(new Option('--api-token <token>', 'protect the dashboard, session/recordings API, live feed and metrics: Bearer token, or open /?token=… once in a browser').env('ACS_AUDIO_API_TOKEN'))
    .addOption(new Option('--max-sessions <n>', 'sessions held at once, live or waiting for a reconnect; a new one past it is closed with 4005').env('ACS_AUDIO_MAX_SESSIONS').default(2000).argParser(integer('--max-sessions', 1, 1_000_000)))
    .addOption(new Option('--max-recording-files <n>', 'recording files (file descriptors) open at once; keep under `ulimit -n` minus --max-connections').env('ACS_AUDIO_MAX_RECORDING_FILES').default(8192).argParser(integer('--max-recording-files', 1, 10_000_000)))
    .addOption(new Option('--max-participants <n>', 'participants (tracks) per session; further participants\' frames are dropped and counted').env('ACS_AUDIO_MAX_PARTICIPANTS').default(64).argParser(integer('--max-participants', 1, 10_000)))
    .addOption(new Option('--max-frame-rate <fps>', 'audio frames per second per track, over a 10 s burst; more closes the socket (4002). ACS sends 50').env('ACS_AUDIO_MAX_FRAME_RATE').default(250).argParser(integer('--max-frame-rate', 50, 100_000)))
    .addOption(new Option('--mix <on|off>', 'unmixed calls: also record mixdown.wav, every participant summed (off: one WAV per participant only)').choices(['on', 'off']).env('ACS_AUDIO_MIX').default('on'))
    .addOption(new Option('--max-recording-queue <bytes>', 'recording memory per session while the disk lags; past it frames are dropped, counted and logged').env('ACS_AUDIO_MAX_RECORDING_QUEUE').default(4 * 1024 * 1024).argParser(integer('--max-recording-queue', 0, 1024 * 1024 * 1024)))
    .addOption(new Option('--nats <url>', 'scale out: publish sessions to NATS JetStream, share the session registry, forward talk-back (docs/scale-out.md)').env('ACS_AUDIO_NATS'))
    .addOption(new Option('--nats-audio <on|off>', 'with --nats: publish audio frames (off: events, transcripts and DTMF only)').choices(['on', 'off']).env('ACS_AUDIO_NATS_AUDIO').default('on'))
    .addOption(new Option('--nats-node-id <id>', 'with --nats: this node\'s id in the registry (default <hostname>-<random>)').env('ACS_AUDIO_NATS_NODE_ID'))
    .addOption(new Option('--nats-max-age <seconds>', 'with --nats: stream retention, oldest messages removed after this (0 = no age limit)').env('ACS_AUDIO_NATS_MAX_AGE_S').default(3600).argParser(integer('--nats-max-age', 0, 365 * 86_400)))
    .addOption(new Option('--nats-max-bytes <bytes>', 'with --nats: stream retention, oldest messages removed past this size (-1 = unlimited)').env('ACS_AUDIO_NATS_MAX_BYTES').default(1024 * 1024 * 1024).argParser(integer('--nats-max-bytes', -1, Number.MAX_SAFE_INTEGER)))
    .addOption(new Option('--workers <n|auto>', 'server processes behind the one port, whole calls spread across them (auto: one per core; 1: this process alone)').env('ACS_AUDIO_WORKERS').default(1).argParser(parseWorkers))
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).env('ACS_AUDIO_LOG_LEVEL').default('info'))
    .action(async (flags, command: Command) => {
      const rootLogger = pino({ level: flags.logLevel }, pino.destination(2));
      // A worker of --workers: the primary started it with the same flags; it takes the connections the primary hands it.
      const worker = workerLinkFromEnvironment(rootLogger);
      const logger = worker ? rootLogger.child({ worker: worker.slot }) : rootLogger;
      const jwtFlags = jwtFlagsGiven(flags, command);
      const authMode = chooseAuthMode(flags, jwtFlags);
      if (authMode === 'jwt' && !flags.audience) {
        const cause = flags.auth === 'jwt' ? '--auth jwt' : jwtFlags.length > 0 ? `JWT auth (on because of ${jwtFlags.join(', ')})` : 'JWT auth (on with a real ACS connection string)';
        console.error(
          `acs-audio serve: ${cause} needs --audience <immutable resource ID of your ACS resource> ` +
            '(Azure portal → resource → Properties; `acs-audio emulator` logs its own), or pass --auth off explicitly for local development.',
        );
        process.exitCode = 2;
        return;
      }
      if (authMode === 'off' && jwtFlags.length > 0) logger.warn({ ignored: jwtFlags }, `--auth off: ${jwtFlags.join(', ')} ignored; no JWT is checked`);
      const urlProblems = checkPublicUrls(flags);
      if (urlProblems.length > 0) {
        console.error(`acs-audio serve: ${urlProblems.join('; ')}`);
        process.exitCode = 2;
        return;
      }
      const flagProblems = [...checkAgentFlags(flags), ...checkWorkerFlags(flags.workers, flags)];
      if (flagProblems.length > 0) {
        console.error(`acs-audio serve: ${flagProblems.join('; ')}`);
        process.exitCode = 2;
        return;
      }
      if (!worker && !flags.apiToken && !/^(127\.|localhost$|::1$)/.test(flags.host)) {
        logger.warn({ host: flags.host }, 'no --api-token: the dashboard, recordings and talk-back API are open to anyone who can reach this port');
      }
      if (!worker && authMode === 'off') logger.warn('JWT auth is OFF: anyone who can reach this port can stream into it and post callbacks');
      let target: RecordingsTarget;
      let blobConnectionString: string | undefined;
      try {
        target = parseRecordingsTarget(flags.recordings);
        if (target.kind === 'azblob') blobConnectionString = blobConnectionStringFrom(process.env, flags.recordings);
      } catch (error) {
        console.error(`acs-audio serve: ${(error as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const recordingsDir = target.kind === 'none' ? null : target.kind === 'local' ? target.dir : flags.spool;
      if (recordingsDir !== null) {
        try {
          await checkRecordingsFolder(recordingsDir);
        } catch (error) {
          console.error(`acs-audio serve: ${(error as Error).message}`);
          process.exitCode = 2;
          return;
        }
      }
      if (!worker && flags.workers > 1) {
        process.exitCode = await runPrimary({ host: flags.host, port: flags.port, workers: flags.workers, recordingsDir, logger });
        return;
      }
      const options: MediaServerOptions = {
        host: flags.host,
        port: flags.port,
        recordingsDir,
        publicUrl: flags.publicUrl,
        allowedOrigins: flags.allowedOrigin,
        acsConnectionString: flags.connectionString,
        // An agent talks back at the model's 24 kHz: answered calls default to pcm24k and bidirectional with --agent-url.
        answer: { channel: flags.channel, format: flags.agentUrl && command.getOptionValueSource('format') === 'default' ? 'pcm24k' : flags.format, bidirectional: Boolean(flags.bidirectional) || Boolean(flags.agentUrl), dtmf: Boolean(flags.dtmf), startNow: flags.startNow },
        auth: authMode === 'jwt' ? { jwksUrl: flags.jwksUrl, issuer: flags.issuer, audience: flags.audience } : 'off',
        maxPayloadBytes: flags.maxPayload,
        apiToken: flags.apiToken,
        nats: flags.nats
          ? { url: flags.nats, nodeId: flags.natsNodeId, publishAudio: flags.natsAudio !== 'off', maxAgeMs: flags.natsMaxAge * 1000, maxBytes: flags.natsMaxBytes }
          : undefined,
        limits: { maxConnections: flags.maxConnections, idleTimeoutMs: flags.idleTimeout, pingIntervalMs: flags.pingInterval },
        media: { maxSessions: flags.maxSessions, maxRecordingFiles: flags.maxRecordingFiles, maxParticipants: flags.maxParticipants, maxFrameRate: flags.maxFrameRate, maxRecordingQueueBytes: flags.maxRecordingQueue, recordMix: flags.mix !== 'off' },
        blob: target.kind === 'azblob' ? { connectionString: blobConnectionString as string, container: target.container, prefix: target.prefix } : undefined,
        logger,
        worker,
        // With --workers, the primary repaired the folder before any worker started recording in it.
        repairOnStart: worker === undefined,
      };
      let server;
      try {
        server = createMediaServer(options);
        const agents = startAgents(flags, server, logger);
        if (agents) logger.info({ model: new URL(flags.agentUrl).host }, 'a voice agent answers every call');
        // With azblob://, listen() also drains the spool (after repairing crash-damaged WAVs in it).
        await server.listen();
        worker?.ready();
      } catch (error) {
        console.error(`acs-audio serve: ${(error as Error).message}`);
        process.exitCode = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 1 : 2;
        return;
      }
      const stop = (signal: string) => {
        logger.info({ signal }, 'stopping: closing sockets and finishing recordings');
        // close() ends the sessions, then waits for their uploads (what does not finish stays in the spool).
        void server.close().then(() => process.exit(0));
      };
      // `on`, not `once`: the Agents SDK's tracing exits the process on a signal when it sees no other listener left,
      // which would cut the graceful close short. stop() may run twice; close() is idempotent.
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      // The primary is gone (it crashed or was killed): finish the recordings rather than serve nothing.
      if (worker) process.once('disconnect', () => stop('disconnect'));
    });
  addAgentOptions(serve);
}

/** The JWT flags given on the command line or in the environment (not left at their defaults). */
function jwtFlagsGiven(flags: { audience?: string }, command: Command): string[] {
  const given: string[] = [];
  if (flags.audience !== undefined) given.push('--audience');
  for (const [key, flag] of [['jwksUrl', '--jwks-url'], ['issuer', '--issuer']] as const) {
    const source = command.getOptionValueSource(key);
    if (source !== undefined && source !== 'default') given.push(flag);
  }
  return given;
}

/**
 * --auth when given; else jwt for a real ACS connection string, or when any JWT flag is given (someone who names an
 * audience or a key set means their tokens to be checked, also against the emulator's http:// endpoint); else off.
 */
function chooseAuthMode(flags: { auth?: 'jwt' | 'off'; connectionString?: string }, jwtFlags: string[]): 'jwt' | 'off' {
  if (flags.auth !== undefined) return flags.auth;
  const realAcs = flags.connectionString !== undefined && flags.connectionString !== '' && !/endpoint=http:\/\//i.test(flags.connectionString);
  return realAcs || jwtFlags.length > 0 ? 'jwt' : 'off';
}

/** --public-url and --allowed-origin must be http(s) URLs; a public URL needs --api-token or an explicit opt-out. */
function checkPublicUrls(flags: { publicUrl?: string; allowedOrigin?: string[]; apiToken?: string; allowOpenDashboard?: boolean }): string[] {
  const problems: string[] = [];
  const check = (option: string, value: string) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) problems.push(`${option} "${value}" is not an http(s) URL (e.g. https://abc123-8080.euw.devtunnels.ms)`);
  };
  if (flags.publicUrl !== undefined) check('--public-url', flags.publicUrl);
  for (const origin of flags.allowedOrigin ?? []) check('--allowed-origin', origin);
  if (flags.publicUrl !== undefined && !flags.apiToken && !flags.allowOpenDashboard) {
    problems.push(
      '--public-url without --api-token would put the dashboard, call audio, transcripts and the talk-back API on the ' +
        'internet for anyone who finds the URL: pass --api-token <secret> (or ACS_AUDIO_API_TOKEN), or --allow-open-dashboard to accept that',
    );
  }
  return problems;
}
