/**
 * A run's log lines on their way to the edge: sent in order, one request at a time, never
 * blocking the entrypoint; lines beyond a backlog bound are counted and reported as dropped.
 */
import type { Api } from './edge.ts';

type Stream = 'stdout' | 'stderr' | 'system';

const BACKLOG = 5000;
const LINE_MAX = 16 * 1024;

export class LogQueue {
  private readonly lines: { stream: Stream; message: string }[] = [];
  private sending: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    private readonly api: Api,
    private readonly runId: string,
  ) {}

  push(stream: Stream, message: string): void {
    if (this.lines.length >= BACKLOG) {
      this.dropped++;
      return;
    }
    this.lines.push({ stream, message: message.slice(0, LINE_MAX) });
    this.sending ??= this.drain().finally(() => {
      this.sending = null;
    });
  }

  private async drain(): Promise<void> {
    for (let next = this.lines.shift(); next; next = this.lines.shift()) {
      if (this.dropped > 0) {
        const n = this.dropped;
        this.dropped = 0;
        await this.send({ stream: 'system', message: `${n} log lines dropped (too many at once)` });
      }
      await this.send(next);
    }
  }

  private async send(line: { stream: Stream; message: string }): Promise<void> {
    await this.api
      .appendWorkflowRunLog({ params: { run_id: this.runId }, body: line })
      .catch(() => {});
  }

  /** Resolves once every line pushed so far was sent (or given up). */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }
}
