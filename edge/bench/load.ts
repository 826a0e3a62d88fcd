/**
 * The load generator, in its own process (it must not share an event loop with the parent, which
 * runs PGlite or Miniflare's Node side). Gets its job over IPC, keeps `concurrency` requests in
 * flight — one keep-alive HTTP/1.1 connection each — and sends back the latencies.
 *
 * A minimal HTTP/1.1 client on raw sockets with pre-serialized requests: this process shares a
 * core with Postgres and PgBouncer, and node:http (or fetch) would spend 4-8x more CPU per request
 * than the whole database side, skewing what is measured.
 */
import { connect, type Socket } from 'node:net';

export interface LoadJob {
  url: string;
  token: string;
  ids: string[];
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  /** `mint` (default): POST …/access-tokens; `healthz`: GET /healthz (HTTP + routing baseline). */
  kind?: 'mint' | 'healthz';
}

export interface LoadResult {
  latencies: number[];
  errors: number;
  /** Status and body of the first failed request (diagnostics). */
  firstError: string | null;
  seconds: number;
  /** This process's CPU time during the run, ms. */
  cpuMs: number;
}

const job = await new Promise<LoadJob>((resolve) =>
  process.once('message', (m) => resolve(m as LoadJob)),
);
const base = new URL(job.url);
const port = Number(base.port || 80);
const BODY = '{"role":"owner"}';

/** The request bytes per session id (healthz: one request). */
const requests = (job.kind === 'healthz' ? ['-'] : job.ids).map((id) =>
  Buffer.from(
    job.kind === 'healthz'
      ? `GET /healthz HTTP/1.1\r\nhost: ${base.host}\r\n\r\n`
      : `POST /api/v1/sessions/${id}/access-tokens HTTP/1.1\r\nhost: ${base.host}\r\nauthorization: Bearer ${job.token}\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`,
  ),
);

const HEADER_END = Buffer.from('\r\n\r\n');

/** Parses one complete response at the start of `buf`: [status, body, bytes used] or null. */
function parseResponse(buf: Buffer): [number, string, number] | null {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return null;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  let at = end + 4;
  if (length) {
    const n = Number(length[1]);
    if (buf.length < at + n) return null;
    return [status, buf.toString('utf8', at, at + n), at + n];
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const parts: string[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return null;
      const size = Number.parseInt(buf.toString('latin1', at, lineEnd), 16);
      if (buf.length < lineEnd + 2 + size + 2) return null;
      if (size === 0) return [status, parts.join(''), lineEnd + 4];
      parts.push(buf.toString('utf8', lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  return [status, '', at]; // no body (e.g. 204)
}

/** One keep-alive connection; `send` resolves with the next response. */
class Connection {
  #socket: Socket | null = null;
  #buf: Buffer = Buffer.alloc(0);
  #waiting: { resolve: (r: [number, string]) => void; reject: (e: Error) => void } | null = null;

  #open(): Socket {
    const socket = connect({ host: base.hostname, port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
      const parsed = parseResponse(this.#buf);
      if (!parsed || !this.#waiting) return;
      this.#buf = this.#buf.subarray(parsed[2]);
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting.resolve([parsed[0], parsed[1]]);
    });
    const fail = (error: Error) => {
      this.#socket = null;
      this.#buf = Buffer.alloc(0);
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    return socket;
  }

  send(bytes: Buffer): Promise<[number, string]> {
    this.#socket ??= this.#open();
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      socket.write(bytes);
    });
  }

  close(): void {
    this.#socket?.destroy();
  }
}

const latencies: number[] = [];
let errors = 0;
let firstError: string | null = null;
let n = 0;
const cpu0 = process.cpuUsage();
const started = performance.now();
const deadline = started + job.durationMs;
await Promise.all(
  Array.from({ length: job.concurrency }, async (_, w) => {
    const conn = new Connection();
    while (performance.now() < deadline && n < job.maxRequests) {
      const bytes = requests[(n++ + w) % requests.length] as Buffer;
      const t0 = performance.now();
      let status = 0;
      let body = '';
      try {
        [status, body] = await conn.send(bytes);
      } catch (error) {
        body = (error as Error).message;
      }
      latencies.push(performance.now() - t0);
      if (status !== 200) {
        errors++;
        firstError ??= `${status} ${body.slice(0, 300)}`;
      }
    }
    conn.close();
  }),
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
const result: LoadResult = {
  latencies,
  errors,
  firstError,
  seconds,
  cpuMs: (cpu.user + cpu.system) / 1000,
};
process.send?.(result, () => process.exit(0));
