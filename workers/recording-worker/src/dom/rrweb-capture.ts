/**
 * rrweb DOM capture of a session for a recording with `rrweb` on: the worker attaches to the
 * session's CDP gateway with its own `recorder` ticket (which admits the capture and nothing
 * else), auto-attaches to the pages, runs the shared capture script (host-pool's rrweb-script:
 * every input value masked) in the open documents and every new one, and collects the batches the
 * pages hand to the binding. `finish()` pulls what the pages still buffer and returns the event
 * log gzipped: `{ recording_id, session_id, event_count, truncated, events }`.
 */
import { gzipSync } from 'node:zlib';
import {
  RECORDER_RRWEB_BINDING,
  RECORDER_RRWEB_FLUSH,
  recorderRrwebScript,
} from '@browserpane/host-pool/recording/rrweb-script';
import WebSocket from 'ws';
import type { Log } from '../log.ts';

/** Raw JSON kept at most (beyond it the log is cut and marked `truncated`). */
const MAX_RAW_BYTES = 64 * 1024 * 1024;
const CALL_TIMEOUT_MS = 10_000;

interface CdpMessage {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  error?: { message: string };
}

/** The gateway's WebSocket for a ticket's `cdp_url` (`http(s)://…/cdp?ticket=` → `ws(s)://…/cdp/ws?ticket=`). */
export function cdpSocketUrl(cdpUrl: string): string {
  const u = new URL(cdpUrl);
  if (u.protocol === 'http:' || u.protocol === 'https:')
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (/\/cdp\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, '')}/ws`;
  return u.toString();
}

export class RrwebCapture {
  private nextId = 1;
  private readonly pending = new Map<number, (m: CdpMessage) => void>();
  /** Attached pages: CDP session id → target id (the id of the page's main frame). */
  private readonly pages = new Map<string, string>();
  private readonly batches: string[] = [];
  private rawBytes = 0;
  private events = 0;
  private truncated = false;

  private constructor(
    private readonly ws: WebSocket,
    private readonly script: string,
    private readonly log: Log,
  ) {
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('close', () => {
      for (const resolve of this.pending.values())
        resolve({ error: { message: 'the CDP gateway closed' } });
      this.pending.clear();
    });
  }

  /** Attaches to the session's pages; rejects when the gateway refuses or the call fails. */
  static async open(cdpUrl: string, log: Log): Promise<RrwebCapture> {
    const script = await recorderRrwebScript();
    const ws = new WebSocket(cdpSocketUrl(cdpUrl), { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`the CDP gateway answered ${res.statusCode}`)),
      );
    });
    const capture = new RrwebCapture(ws, script, log);
    await capture.call('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: false,
      flatten: true,
      filter: [{ type: 'page', exclude: false }],
    });
    return capture;
  }

  get eventCount(): number {
    return this.events;
  }

  private call(
    method: string,
    params: Record<string, unknown>,
    sessionId?: string,
  ): Promise<CdpMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        if (m.error) reject(new Error(`${method}: ${m.error.message}`));
        else resolve(m);
      });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  private onMessage(text: string): void {
    let m: CdpMessage;
    try {
      m = JSON.parse(text) as CdpMessage;
    } catch {
      return;
    }
    if (m.id !== undefined) {
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
      return;
    }
    if (m.method === 'Target.attachedToTarget') {
      const sessionId = m.params?.sessionId as string | undefined;
      const target = m.params?.targetInfo as { type?: string; targetId?: string } | undefined;
      if (sessionId && target?.type === 'page' && target.targetId)
        void this.attachPage(sessionId, target.targetId);
    } else if (m.sessionId && this.pages.has(m.sessionId) && this.isNewTopDocument(m)) {
      // A document the attach raced with (a navigation that swapped renderers can lose the
      // binding or the new-document script): add both again; the script records a document
      // once, and buffers its events until the binding is there.
      const sessionId = m.sessionId;
      void this.call('Runtime.addBinding', { name: RECORDER_RRWEB_BINDING }, sessionId)
        .then(() => this.call('Runtime.evaluate', { expression: this.script }, sessionId))
        .catch(() => {});
    } else if (m.method === 'Target.detachedFromTarget') {
      this.pages.delete(m.params?.sessionId as string);
    } else if (
      m.method === 'Runtime.bindingCalled' &&
      m.params?.name === RECORDER_RRWEB_BINDING &&
      typeof m.params.payload === 'string'
    ) {
      this.add(m.params.payload);
    }
  }

  /** The main world of a page's top document appeared, or that document finished loading. */
  private isNewTopDocument(m: CdpMessage): boolean {
    if (m.method === 'Page.loadEventFired') return true;
    if (m.method !== 'Runtime.executionContextCreated') return false;
    const context = m.params?.context as
      | { auxData?: { isDefault?: boolean; frameId?: string } }
      | undefined;
    return (
      context?.auxData?.isDefault === true &&
      context.auxData.frameId === this.pages.get(m.sessionId as string)
    );
  }

  private async attachPage(sessionId: string, targetId: string): Promise<void> {
    this.pages.set(sessionId, targetId);
    try {
      await this.call('Runtime.addBinding', { name: RECORDER_RRWEB_BINDING }, sessionId);
      await this.call('Page.enable', {}, sessionId);
      await this.call('Page.addScriptToEvaluateOnNewDocument', { source: this.script }, sessionId);
      await this.call('Runtime.enable', {}, sessionId);
      // The document open now is recorded from here on.
      await this.call('Runtime.evaluate', { expression: this.script }, sessionId);
    } catch (err) {
      this.log.warn('rrweb capture could not attach to a page', { error: String(err) });
    }
  }

  /** One batch (a JSON array of events, as the page sent it). */
  private add(batch: string): void {
    if (this.truncated) return;
    if (!batch.startsWith('[') || !batch.endsWith(']') || batch.length <= 2) return;
    if (this.rawBytes + batch.length > MAX_RAW_BYTES) {
      this.truncated = true;
      this.log.warn('rrweb event log full; later events are dropped', { bytes: this.rawBytes });
      return;
    }
    let count: number;
    try {
      const parsed = JSON.parse(batch) as unknown;
      if (!Array.isArray(parsed)) return;
      count = parsed.length;
    } catch {
      return;
    }
    this.batches.push(batch.slice(1, -1));
    this.rawBytes += batch.length;
    this.events += count;
  }

  /** Detaches (what was collected is dropped unless `finish` ran). */
  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close();
  }

  /** Pulls what the pages still buffer, detaches, and returns the gzipped event log. */
  async finish(ids: {
    recordingId: string;
    sessionId: string;
  }): Promise<{ gz: Buffer; events: number; rawBytes: number }> {
    if (this.ws.readyState === WebSocket.OPEN)
      await Promise.all(
        [...this.pages.keys()].map((s) =>
          this.call('Runtime.evaluate', { expression: RECORDER_RRWEB_FLUSH }, s).catch(() => {}),
        ),
      );
    this.ws.close();
    const head = JSON.stringify({
      recording_id: ids.recordingId,
      session_id: ids.sessionId,
      event_count: this.events,
      truncated: this.truncated,
    });
    const doc = `${head.slice(0, -1)},"events":[${this.batches.join(',')}]}`;
    return { gz: gzipSync(doc), events: this.events, rawBytes: Buffer.byteLength(doc) };
  }
}
