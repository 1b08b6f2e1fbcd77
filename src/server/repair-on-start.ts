// Before a server listens: WAV headers a crash left behind under its recordings folder are repaired, and what was
// found is logged (repairOnStart). A spool uploaded to Blob Storage is repaired the same way before it is drained.
import type { Logger } from 'pino';
import { repairRecordings } from '../audio/index.js';

/** Repairs the recordings under `dir`; never throws (a failure is logged, a missing folder is a first start). */
export async function repairOnStart(dir: string, logger: Logger): Promise<void> {
  const report = await repairRecordings(dir).catch((error: NodeJS.ErrnoException) => {
    // A folder that does not exist yet (the first start) holds nothing to repair; it is made at the first call.
    const missing = error.code === 'ENOENT' || (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    if (!missing) logger.error({ err: error }, 'could not check recordings for crash damage');
    return undefined;
  });
  if (report && (report.repaired.length > 0 || report.failed.length > 0)) {
    logger.warn(
      { checked: report.checked, healthy: report.healthy, repaired: report.repaired.length, failed: report.failed.length },
      'repaired recordings left by an earlier crash',
    );
  } else if (report && report.checked > 0) {
    logger.info({ checked: report.checked, healthy: report.healthy }, 'recordings checked for crash damage: all healthy');
  }
}
