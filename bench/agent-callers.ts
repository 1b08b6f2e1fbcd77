// The callers' side of `npm run bench -- --agent`, each part in a process of its own: the ACS emulator (REST API and
// media engine: the callers), or the emulator's realtime model. With them elsewhere, the process that runs the media
// server and the voice agents carries only the server's load, so the bridge's figures are the bridge's; and the
// model, which a real deployment reaches over the network, does not wait behind the engine's 100 paced streams (in
// one process with them, its connection handshakes took seconds on this 2-core machine).
// Started by bench/agent.ts; answers over IPC (child-process.ts).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createEmulator, createRealtimeModel, type Emulator, type RealtimeModel } from '../src/emulator/index.js';
import { AGENT_DEMO_SCENARIO, AGENT_DEMO_SCRIPT } from '../src/cli/demo-agent.js';
import { serveBenchRequests } from './child-process.js';
import { runQueueWaitMs } from './sched-stat.js';

let emulator: Emulator | undefined;
let model: RealtimeModel | undefined;
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

serveBenchRequests(
  {
    /** `role` 'emulator': the ACS emulator, its callers' scenario; 'model': the realtime model with the agent script. */
    async listen(args) {
      if (args.role === 'model') {
        model = createRealtimeModel({ script: AGENT_DEMO_SCRIPT });
        const { url } = await model.listen();
        return { modelUrl: url, apiKey: model.apiKey };
      }
      emulator = createEmulator({ port: 0, scenario: AGENT_DEMO_SCENARIO, logger: pino({ level: 'silent' }) });
      const { connectionString } = await emulator.listen();
      return { connectionString };
    },
    usage() {
      const cpu = process.cpuUsage();
      return {
        cpuUs: cpu.user + cpu.system,
        atMs: performance.now(),
        loopActiveMs: performance.eventLoopUtilization().active,
        waitMs: runQueueWaitMs(),
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        loopDelayMaxMs: loopDelay.max / 1e6,
      };
    },
  },
  async () => {
    await Promise.allSettled([emulator?.close(), model?.close()]);
  },
);
