// Append-only JSON Lines file (transcript.jsonl, events.jsonl): lines queue in memory and reach disk on flush.
// bigint values (transcription ticks) are written as decimal strings so nothing is rounded.
import { appendFile } from 'node:fs/promises';

function replaceBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Serialize a value to one JSON line, bigint as string. */
export function toJsonLine(value: unknown): string {
  return `${JSON.stringify(value, replaceBigint)}\n`;
}

/** A JSON Lines file written asynchronously; the file is created on the first flush that has lines. */
export class JsonlWriter {
  lines = 0;
  private queue: string[] = [];
  private queuedBytes = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    /** Past this many queued bytes new lines are dropped (and counted). */
    private readonly maxQueuedBytes: number,
  ) {}

  /** Lines dropped because the queue was full. */
  dropped = 0;

  /** Queue one record. */
  append(value: unknown): void {
    const line = toJsonLine(value);
    if (this.queuedBytes + line.length > this.maxQueuedBytes) {
      this.dropped++;
      return;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    this.lines++;
  }

  /** Bytes waiting for disk. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Append queued lines to the file (serialized: flushes never interleave). */
  flush(): Promise<void> {
    this.chain = this.chain.catch(() => undefined).then(() => this.writeQueued());
    return this.chain;
  }

  private async writeQueued(): Promise<void> {
    if (this.queue.length === 0) return;
    const text = this.queue.join('');
    this.queue = [];
    this.queuedBytes = 0;
    await appendFile(this.path, text, 'utf8');
  }
}
