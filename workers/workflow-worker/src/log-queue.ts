/**
 * A run's log lines on their way to the edge: sent in order, one request at a time (with every
 * line queued meanwhile, up to a batch bound), never blocking the entrypoint; lines beyond a
 * backlog bound are counted and reported as dropped.
 */
import type { Api } from './edge.ts';

type Stream = 'stdout' | 'stderr' | 'system';

const BACKLOG = 5000;
const LINE_MAX = 16 * 1024;
/** One request carries at most this many lines, and about this many bytes. */
const BATCH_LINES = 200;
const BATCH_BYTES = 128 * 1024;

export class LogQueue {
  private readonly lines: { stream: Stream; message: string }[] = [];
  private sending: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    private readonly api: Api,
    private readonly runId: string,
    /** Applied to every line before it is queued (the run's secret redaction). */
    private readonly redact: (text: string) => string = (t) => t,
  ) {}

  push(stream: Stream, message: string): void {
    if (this.lines.length >= BACKLOG) {
      this.dropped++;
      return;
    }
    this.lines.push({ stream, message: this.redact(message).slice(0, LINE_MAX) });
    this.sending ??= this.drain().finally(() => {
      this.sending = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.lines.length > 0) {
      const batch: { stream: Stream; message: string }[] = [];
      if (this.dropped > 0) {
        batch.push({
          stream: 'system',
          message: `${this.dropped} log lines dropped (too many at once)`,
        });
        this.dropped = 0;
      }
      let bytes = 0;
      while (this.lines.length > 0 && batch.length < BATCH_LINES && bytes < BATCH_BYTES) {
        const line = this.lines.shift() as { stream: Stream; message: string };
        bytes += line.message.length * 3 + 64;
        batch.push(line);
      }
      await this.api
        .appendWorkflowRunLog({ params: { run_id: this.runId }, body: { lines: batch } })
        .catch(() => {});
    }
  }

  /** Resolves once every line pushed so far was sent (or given up). */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }
}
