// `acs-audio tap`: consume what `acs-audio serve --nats` nodes publish, on any machine: WAVs per track or live levels.
import { Command, InvalidArgumentError, Option } from 'commander';
import { levelDbfs } from '../audio/index.js';
import { subscribe, WavTap, type NatsSubscription, type SubscribedMessage } from '../cluster/index.js';

interface TapFlags {
  nats: string;
  session?: string;
  track?: string[];
  wav?: string;
  levels?: boolean;
  durable?: string;
  from: 'start' | 'new';
  untilEnded?: boolean;
  idleExit?: number;
  subjectPrefix: string;
  stream: string;
}

/** How often WAV files are flushed and the durable consumer acknowledged up to what is on disk. */
const FLUSH_MS = 1000;

function describe(message: SubscribedMessage): string | undefined {
  switch (message.kind) {
    case 'event': {
      const e = message.event;
      const detail = e.type === 'session.state' ? e.state : e.type === 'session.participant' ? `${e.trackId} (${e.participantRawId ?? 'mixed'})` : e.type === 'session.callEvent' ? e.callEvent.type : '';
      return `${e.time} ${message.sessionId} ${e.type} ${detail} [node ${message.node}]`;
    }
    case 'transcript':
      return `${message.transcript.receivedAt} ${message.sessionId} transcript ${message.transcript.resultStatus}: ${message.transcript.text}`;
    case 'dtmf':
      return `${message.dtmf.receivedAt} ${message.sessionId} dtmf ${message.dtmf.tone}`;
    case 'frame':
      return undefined;
  }
}

function levelBar(dbfs: number): string {
  const width = Math.max(0, Math.min(40, Math.round((dbfs + 60) * (40 / 60))));
  return '█'.repeat(width);
}

async function run(flags: TapFlags): Promise<void> {
  if (flags.wav && flags.levels) throw new UsageError('choose one of --wav <dir> and --levels');
  if (flags.untilEnded && !flags.session) throw new UsageError('--until-ended needs --session <id>');
  const sub: NatsSubscription = await subscribe({
    nats: flags.nats,
    sessionId: flags.session,
    tracks: flags.track,
    audio: Boolean(flags.wav || flags.levels),
    durable: flags.durable,
    from: flags.from,
    ack: flags.wav ? 'manual' : 'auto',
    untilEnded: flags.untilEnded,
    idleMs: flags.idleExit,
    subjectPrefix: flags.subjectPrefix,
    streamName: flags.stream,
  });
  console.error(`acs-audio tap: following ${flags.session ?? 'every session'} on ${flags.nats}${flags.durable ? ` as durable "${flags.durable}"` : ''}`);
  const wav = flags.wav ? new WavTap(flags.wav) : undefined;
  const peaks = new Map<string, number>();
  let lastDone: SubscribedMessage | undefined;
  let flushedAt = Date.now();
  // Acknowledge only what is on disk, so a stopped or killed tap resumes without losing a frame.
  const checkpoint = async () => {
    await wav?.flush();
    if (lastDone) sub.ack(lastDone);
    flushedAt = Date.now();
  };
  // A signal: what is written so far goes to disk and is acknowledged, then the subscription ends the loop.
  const stop = () => void checkpoint().finally(() => sub.close());
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    for await (const message of sub) {
      const line = describe(message);
      if (line) console.log(line);
      if (message.kind === 'frame') {
        if (wav) await wav.write(message);
        if (flags.levels) {
          const key = `${message.sessionId} ${message.trackId}`;
          peaks.set(key, Math.max(peaks.get(key) ?? -Infinity, levelDbfs(message.samples)));
          if (message.timelineMs % 1000 === 980) {
            const peak = peaks.get(key) ?? -Infinity;
            peaks.delete(key);
            console.log(`${key} ${((message.timelineMs + 20) / 1000).toFixed(0).padStart(5)} s ${peak === -Infinity ? '  -inf' : peak.toFixed(1).padStart(6)} dBFS ${levelBar(peak)}`);
          }
        }
      }
      if (wav && message.kind === 'event' && message.event.type === 'session.ended') {
        await wav.flush();
        for (const t of await wav.closeSession(message.sessionId)) {
          console.log(`${t.path}: ${t.frames} frames (${(t.frames / 50).toFixed(2)} s)${t.missing ? `, ${t.missing} missing filled with silence` : ''}`);
        }
      }
      lastDone = message;
      if (wav && Date.now() - flushedAt >= FLUSH_MS) await checkpoint();
    }
  } finally {
    await checkpoint();
    await sub.close();
    const open = (await wav?.close()) ?? [];
    for (const t of open) console.log(`${t.path}: ${t.frames} frames so far (session not ended)`);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

class UsageError extends Error {}

/** Adds the `tap` subcommand. */
export function registerTap(program: Command): void {
  program
    .command('tap')
    .description('Follow calls published by `acs-audio serve --nats` nodes: write each track to a WAV, or print levels, events, transcripts and DTMF.')
    .addOption(new Option('--nats <url>', 'NATS server URL(s), comma-separated').env('ACS_AUDIO_NATS').makeOptionMandatory())
    .addOption(new Option('--session <id>', 'only this session (ids: GET /api/sessions on any node)').env('ACS_AUDIO_TAP_SESSION'))
    .addOption(new Option('--track <id...>', 'only these track ids (e.g. 4_+15551230001, or mixed)').env('ACS_AUDIO_TAP_TRACK'))
    .addOption(new Option('--wav <dir>', 'write <dir>/<session>/<track>.wav; an existing file is continued').env('ACS_AUDIO_TAP_WAV'))
    .addOption(new Option('--levels', 'print each track\'s peak level once per second of call time').env('ACS_AUDIO_TAP_LEVELS'))
    .addOption(new Option('--durable <name>', 'durable consumer: a later tap with the same name resumes where this one stopped').env('ACS_AUDIO_TAP_DURABLE'))
    .addOption(new Option('--from <where>', 'a new consumer starts at the oldest stored message or only new ones').choices(['start', 'new']).env('ACS_AUDIO_TAP_FROM').default('start'))
    .addOption(new Option('--until-ended', 'exit once the --session has ended').env('ACS_AUDIO_TAP_UNTIL_ENDED'))
    .addOption(new Option('--idle-exit <ms>', 'exit after this long without a message').env('ACS_AUDIO_TAP_IDLE_EXIT_MS').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('--idle-exit must be a positive whole number of milliseconds.');
      return n;
    }))
    .addOption(new Option('--subject-prefix <prefix>', 'subject prefix the nodes use').env('ACS_AUDIO_NATS_SUBJECT_PREFIX').default('acs'))
    .addOption(new Option('--stream <name>', 'JetStream stream the nodes publish into').env('ACS_AUDIO_NATS_STREAM').default('ACS_AUDIO'))
    .addHelpText(
      'after',
      `
Without --wav or --levels it prints events, transcripts and DTMF only. Stop it with Ctrl-C.
With --durable, WAV data is acknowledged once it is on disk: stop (or lose) the tap and start it again with the
same name and folder, and the files continue without a missing or doubled frame.

Examples:
  acs-audio tap --nats nats://10.0.0.5:4222 --levels
  acs-audio tap --nats nats://10.0.0.5:4222 --session 20261125T101500Z-3fa2c1 --wav ./taps --durable archive --until-ended
`,
    )
    .action(async (flags: TapFlags) => {
      try {
        await run(flags);
      } catch (error) {
        console.error(`acs-audio tap: ${(error as Error).message}`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
      }
    });
}
