// The NATS scale-out's figures on the server's own prom-client registry, read from plain counters at scrape time.
import { Gauge, type Registry } from 'prom-client';
import type { PublisherStats } from './nats-publisher.js';

/** Where the figures come from. */
export interface NatsMetricsSources {
  publisher: () => PublisherStats;
  registry: () => { writes: number; writeErrors: number; sweptSessions: number };
  control: () => { served: number; forwarded: number; forwardFailures: number };
}

/** Registers the NATS gauges on `registry`. */
export function registerNatsMetrics(registry: Registry, sources: NatsMetricsSources): void {
  const prefix = 'acs_audio_nats_';
  new Gauge({
    name: prefix + 'messages_total',
    help: 'Messages for JetStream by kind and outcome: queued = published + dropped (+ queue); published = acked + errors (+ in flight)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
    collect() {
      for (const [kind, counts] of Object.entries(sources.publisher().byKind)) {
        for (const [outcome, value] of Object.entries(counts)) this.set({ kind, outcome }, value);
      }
    },
  });
  // A gauge that reads a plain number at scrape time (as server/metrics.ts does for the hub's counters).
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name: prefix + name, help, registers: [registry], collect() { this.set(read()); } });
  gauge('queue_length', 'Messages waiting to be published', () => sources.publisher().queueLength);
  gauge('in_flight', 'Messages published and not yet confirmed (a JetStream ack; for audio, the batch round trip)', () => sources.publisher().inFlight);
  gauge('connected', '1 while the NATS connection is up', () => (sources.publisher().connected ? 1 : 0));
  gauge('registry_writes_total', 'Session registry entries written', () => sources.registry().writes);
  gauge('registry_write_errors_total', 'Session registry writes that failed', () => sources.registry().writeErrors);
  gauge('sessions_swept_total', 'Sessions of lost nodes this node marked ended', () => sources.registry().sweptSessions);
  gauge('control_served_total', 'play / stop-audio requests other nodes forwarded here', () => sources.control().served);
  gauge('control_forwarded_total', 'play / stop-audio requests forwarded to the owning node', () => sources.control().forwarded);
  gauge('control_forward_failures_total', 'Forwarded requests the owning node did not answer', () => sources.control().forwardFailures);
}
