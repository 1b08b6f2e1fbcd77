// `acs-audio repair <folder>`: fixes WAV recordings cut short by a crash (src/audio repairRecordings).
import { Option, type Command } from 'commander';
import { isWavError, repairRecordings, type RepairReport, type RepairResult, type SessionFileRepair } from '../audio/index.js';

interface RepairFlags {
  dryRun?: boolean;
  json?: boolean;
}

function describe(result: RepairResult): string {
  const seconds = (result.durationMs / 1000).toFixed(2);
  const trimmed = result.trimmedBytes > 0 ? `, ${result.trimmedBytes} stray bytes trimmed` : '';
  return `${result.path}: data ${result.declaredDataBytes} → ${result.dataBytes} bytes (${seconds} s at ${result.sampleRate} Hz${trimmed})`;
}

function describeSession(session: SessionFileRepair): string {
  return `${session.path}: ${session.stateBefore} → ${session.state} (crashed; last write ${session.endedAt}), ${session.frames} frames in its WAVs`;
}

function printReport(report: RepairReport, flags: RepairFlags): void {
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const verb = flags.dryRun ? 'would repair' : 'repaired';
  for (const result of report.repaired) console.log(`${verb} ${describe(result)}`);
  for (const session of report.sessions) console.log(`${flags.dryRun ? 'would end' : 'ended'} ${describeSession(session)}`);
  for (const failure of report.failed) console.error(`failed ${failure.path}: ${failure.reason} [${failure.code}]`);
  console.log(
    `acs-audio repair: ${report.checked} .wav file(s) checked under ${report.folder}: ${report.healthy} healthy, ` +
      `${report.repaired.length} ${verb}, ${report.failed.length} failed; ` +
      `${report.sessions.length} session.json ${flags.dryRun ? 'would be brought' : 'brought'} up to date`,
  );
}

/** Adds the `repair` subcommand. */
export function registerRepair(program: Command): void {
  program
    .command('repair')
    .description('Fix WAV recordings cut short by a crash: make their header sizes match the audio on disk')
    .argument('<folder>', 'recordings folder; every .wav under it (at any depth) is checked')
    .addOption(new Option('--dry-run', 'only report what would be repaired; change nothing').env('ACS_AUDIO_REPAIR_DRY_RUN'))
    .addOption(new Option('--json', 'print the report as JSON').env('ACS_AUDIO_REPAIR_JSON'))
    .addHelpText(
      'after',
      `
A recording whose process was killed mid-write keeps its audio but may have a header that
still gives the old (or no) length, so players show it empty or short. repair sets the
RIFF and data sizes to the whole samples really on disk; healthy files are left untouched.
A session.json the crash left live ("streaming", no endedAt) is ended: state "ended"
(or "failed" before any audio), endedAt = the folder's last write, endReason "crashed: …",
repairedAt, and each participant's frames from its WAV. \`acs-audio serve\` does all of
this at start. Stop the server first: do not repair files that are still being written.

Exit status: 0 when every file is healthy or repaired, 1 when any could not be checked or repaired.

Examples:
  acs-audio repair ./recordings
  acs-audio repair ./recordings --dry-run`,
    )
    .action(async (folder: string, flags: RepairFlags) => {
      try {
        const report = await repairRecordings(folder, { dryRun: flags.dryRun === true });
        printReport(report, flags);
        process.exitCode = report.failed.length > 0 ? 1 : 0;
      } catch (error) {
        const message = isWavError(error) ? error.message : String(error);
        console.error(`acs-audio repair: ${message}`);
        process.exitCode = 1;
      }
    });
}
