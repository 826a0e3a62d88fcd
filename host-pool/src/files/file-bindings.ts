import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Logger } from '../log.ts';
import type { OfferedFile } from './file-chooser.ts';

/** A binding as the edge's desired state lists it. */
export interface WantedBinding {
  readonly binding_id: string;
  readonly mount_path: string;
  readonly byte_count: number;
  readonly sha256_hex: string;
  readonly state: string;
}

/** Where a session's bound files go and who is told about them. */
export interface BindingTarget {
  /** The session's files folder (the browser's uploads). */
  readonly dir: string;
  /** Partial downloads, outside `dir` (a chooser never sees half a file). */
  readonly partials: string;
  /** Hands a placed file to the page's file chooser. */
  readonly offer: (file: OfferedFile) => void;
}

/** The edge side: the bound bytes, and the report. */
export interface BindingEdge {
  content(sessionId: string, bindingId: string, byteCount: number): Promise<Response>;
  report(
    sessionId: string,
    bindingId: string,
    body: { state: 'materialized' | 'failed'; error?: string | null },
  ): Promise<unknown>;
}

/**
 * The path a mount path names inside `dir`, or null when it would leave it (the edge already
 * refuses `..` and absolute paths; a host never trusts that alone).
 */
export function mountTarget(dir: string, mountPath: string): string | null {
  if (
    !mountPath ||
    mountPath.startsWith('/') ||
    mountPath.includes('\\') ||
    mountPath.includes('\0')
  )
    return null;
  if (mountPath.split('/').some((s) => s === '' || s === '.' || s === '..')) return null;
  const root = resolve(dir);
  const target = resolve(root, mountPath);
  const rel = relative(root, target);
  if (!rel || rel.startsWith('..') || rel.split(sep).includes('..')) return null;
  return target;
}

let partialCounter = 0;

/**
 * Places the workspace files bound to this host's sessions into their files folders: each
 * binding the edge lists is fetched once, checked against its length and SHA-256, moved to its
 * mount path (mode 0644, so the sandboxed browser reads it) and offered to the page's file
 * chooser; the outcome goes back to the edge. A placed binding the edge no longer lists (removed)
 * is deleted again. Failures are reported (`failed`) and retried on a later heartbeat.
 */
export class FileBindingPlacer {
  /** binding id → the placed file's path, per session. */
  private readonly placed = new Map<string, Map<string, string>>();
  private readonly busy = new Set<string>();
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly edge: BindingEdge,
    private readonly targetOf: (sessionId: string) => BindingTarget | undefined,
    private readonly log: Logger,
    private readonly retryMs = 10_000,
  ) {}

  /** Follows one heartbeat answer's bindings for the sessions running here. */
  follow(
    sessions: readonly {
      session_id: string;
      desired: string;
      file_bindings?: readonly WantedBinding[] | undefined;
    }[],
  ): void {
    const running = new Set<string>();
    for (const s of sessions) {
      if (s.desired !== 'running') continue;
      running.add(s.session_id);
      const wanted = s.file_bindings ?? [];
      const mine = this.placed.get(s.session_id) ?? new Map<string, string>();
      this.placed.set(s.session_id, mine);
      const ids = new Set(wanted.map((b) => b.binding_id));
      for (const [id, path] of mine)
        if (!ids.has(id)) {
          mine.delete(id);
          void rm(path, { force: true }).catch(() => undefined);
        }
      for (const b of wanted) {
        if (mine.has(b.binding_id) || this.busy.has(b.binding_id)) continue;
        const failed = this.failedAt.get(b.binding_id);
        if (failed !== undefined && Date.now() - failed < this.retryMs) continue;
        const target = this.targetOf(s.session_id);
        if (!target) continue; // the session's files are not up yet (or switched off)
        void this.place(s.session_id, b, target, mine);
      }
    }
    for (const id of this.placed.keys()) if (!running.has(id)) this.placed.delete(id);
  }

  /** Files placed so far (tests, diagnostics). */
  placedFiles(sessionId: string): ReadonlyMap<string, string> {
    return this.placed.get(sessionId) ?? new Map();
  }

  private async place(
    sessionId: string,
    b: WantedBinding,
    target: BindingTarget,
    mine: Map<string, string>,
  ): Promise<void> {
    this.busy.add(b.binding_id);
    const partial = join(target.partials, `binding-${process.pid}-${++partialCounter}.part`);
    try {
      const path = mountTarget(target.dir, b.mount_path);
      if (!path) throw new Error('the mount path leaves the session files folder');
      const res = await this.edge.content(sessionId, b.binding_id, b.byte_count);
      if (!res.body) throw new Error('the edge sent no content');
      await mkdir(target.partials, { recursive: true, mode: 0o700 });
      const hash = createHash('sha256');
      let size = 0;
      const handle = await open(partial, 'w', 0o644);
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          size += chunk.byteLength;
          if (size > b.byte_count) throw new Error('the content is longer than bound');
          hash.update(chunk);
          await handle.write(chunk);
        }
        await handle.chmod(0o644);
        await handle.sync();
      } finally {
        await handle.close();
      }
      const digest = hash.digest('hex');
      if (size !== b.byte_count || digest !== b.sha256_hex)
        throw new Error('the content does not match the bound length and SHA-256');
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      await rename(partial, path);
      mine.set(b.binding_id, path);
      this.failedAt.delete(b.binding_id);
      target.offer({ path, storedName: b.mount_path });
      await this.edge.report(sessionId, b.binding_id, { state: 'materialized' });
      this.log.info('file binding placed', { sessionId, bindingId: b.binding_id, size });
    } catch (err) {
      await rm(partial, { force: true }).catch(() => undefined);
      this.failedAt.set(b.binding_id, Date.now());
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn('file binding not placed', {
        sessionId,
        bindingId: b.binding_id,
        err: message,
      });
      await this.edge
        .report(sessionId, b.binding_id, { state: 'failed', error: message.slice(0, 500) })
        .catch(() => undefined);
    } finally {
      this.busy.delete(b.binding_id);
    }
  }
}
