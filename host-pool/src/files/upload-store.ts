import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TransferError } from './errors.ts';
import { uniqueName, uploadName } from './file-names.ts';

export interface UploadLimits {
  /** Largest single file. */
  readonly maxFileBytes: number;
  /** Stored uploads plus uploads in flight, per session. */
  readonly maxSessionBytes: number;
  /** Uploads one connection may run at once. */
  readonly maxActivePerConnection: number;
  /** Bytes received but not yet on disk, per upload (a client that ignores acks is refused). */
  readonly maxQueuedBytes: number;
  /** Progress acks at least this far apart. */
  readonly ackEveryBytes: number;
  /** How long an interrupted upload's bytes wait for its client to come back and resume. */
  readonly resumeTtlMs: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxFileBytes: 512 * 1024 * 1024,
  maxSessionBytes: 2 * 1024 * 1024 * 1024,
  maxActivePerConnection: 4,
  maxQueuedBytes: 8 * 1024 * 1024,
  ackEveryBytes: 256 * 1024,
  resumeTtlMs: 10 * 60_000,
};

export interface BeginRequest {
  readonly connection: string;
  /** Who uploads (the ticket's principal): only they may resume their interrupted upload. */
  readonly principal: string;
  readonly fileId: number;
  readonly name: string;
  readonly size: number;
  readonly mime: string;
}

export interface StoredUpload {
  readonly storedName: string;
  readonly path: string;
  readonly size: number;
  readonly mime: string;
}

interface Upload {
  readonly resumeKey: string;
  readonly name: string;
  readonly size: number;
  readonly mime: string;
  readonly partialPath: string;
  /** Bytes accepted (written or queued). */
  received: number;
  written: number;
  queued: number;
  lastAcked: number;
  handle: FileHandle | undefined;
  chain: Promise<void>;
  failed: Error | undefined;
  orphanedAt: number;
}

let partialCounter = 0;

/**
 * The uploads of one session: bytes stream into a partial file outside the upload directory (so
 * a page's file chooser never sees half a file), are checked against the declared size, and move
 * into the upload directory under a unique, sanitized name only when complete. Everything here
 * is synchronous up to the disk writes, so chunks that follow `begin` in the same read are never
 * "unknown". An interrupted upload waits `resumeTtlMs` for the same principal to begin it again
 * (same name, size and type), and then continues at the bytes it already has.
 */
export class UploadStore {
  private readonly active = new Map<string, Upload>();
  private readonly orphans = new Map<string, Upload>();
  private storedBytes = 0;
  /** Uploads between `end` and their move into the upload directory. */
  private finishing = 0;
  private readonly reserved = new Set<string>();

  constructor(
    private readonly dirs: { readonly uploads: string; readonly partials: string },
    private readonly limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
  ) {
    mkdirSync(dirs.partials, { recursive: true, mode: 0o700 });
    mkdirSync(dirs.uploads, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dirs.uploads)) {
      try {
        // lstat: the upload directory is the browser's (a link there must not count a host file)
        this.storedBytes += lstatSync(join(dirs.uploads, name)).size;
      } catch {
        // vanished meanwhile
      }
    }
  }

  /** Starts (or resumes) an upload; returns the bytes the host already has. */
  begin(req: BeginRequest): number {
    const key = keyOf(req.connection, req.fileId);
    if (this.active.has(key))
      throw new TransferError('file_rejected', 'file id already in use on this connection');
    const name = uploadName(req.name);
    if (!name) throw new TransferError('file_rejected', 'not a bare file name');
    if (!Number.isSafeInteger(req.size) || req.size < 0)
      throw new TransferError('file_rejected', 'bad size');
    if (req.size > this.limits.maxFileBytes)
      throw new TransferError('file_too_large', `larger than ${this.limits.maxFileBytes} bytes`);
    const mine = [...this.active.keys()].filter((k) => k.startsWith(`${req.connection}\u0000`));
    if (mine.length >= this.limits.maxActivePerConnection)
      throw new TransferError('rate_limited', 'too many uploads at once');
    const resumeKey = [req.principal, name, req.size, req.mime].join('\u0000');
    const orphan = this.orphans.get(resumeKey);
    if (orphan && !orphan.failed) {
      this.orphans.delete(resumeKey);
      this.active.set(key, orphan);
      return orphan.received;
    }
    if (this.inFlightBytes() + this.storedBytes + req.size > this.limits.maxSessionBytes)
      throw new TransferError('file_too_large', 'the session upload quota is used up');
    this.active.set(key, {
      resumeKey,
      name,
      size: req.size,
      mime: req.mime,
      partialPath: join(
        this.dirs.partials,
        `${process.pid}-${Date.now()}-${++partialCounter}.part`,
      ),
      received: 0,
      written: 0,
      queued: 0,
      lastAcked: 0,
      handle: undefined,
      chain: Promise.resolve(),
      failed: undefined,
      orphanedAt: 0,
    });
    return 0;
  }

  /**
   * Accepts bytes at `offset` (which must be where the previous chunk ended). Resolves once they
   * are on disk, with the bytes stored so far when an ack is due, else `undefined`.
   */
  chunk(
    connection: string,
    fileId: number,
    offset: number,
    data: Uint8Array,
  ): Promise<number | undefined> {
    const u = this.require(connection, fileId);
    if (u.failed) throw new TransferError('file_rejected', 'storage failed', { cause: u.failed });
    if (offset !== u.received)
      throw new TransferError('file_rejected', `expected offset ${u.received}, got ${offset}`);
    if (data.byteLength === 0) throw new TransferError('file_rejected', 'empty chunk');
    if (u.received + data.byteLength > u.size)
      throw new TransferError('file_rejected', 'more bytes than declared');
    if (u.queued + data.byteLength > this.limits.maxQueuedBytes)
      throw new TransferError('rate_limited', 'client sends faster than the disk takes it');
    u.received += data.byteLength;
    u.queued += data.byteLength;
    const bytes = Uint8Array.from(data); // the frame's buffer is reused after this call
    const resumed = offset > 0 && u.handle === undefined;
    u.chain = u.chain.then(async () => {
      if (u.failed) return;
      try {
        // 0644: the browser reads the finished file as the session's user (no one else can walk
        // into the session's directories)
        u.handle ??= await open(u.partialPath, resumed ? 'r+' : 'w', 0o644);
        await u.handle.write(bytes, 0, bytes.byteLength, offset);
        u.written = offset + bytes.byteLength;
      } catch (err) {
        u.failed = err as Error;
      } finally {
        u.queued -= bytes.byteLength;
      }
    });
    const done = u.chain;
    return done.then(() => {
      if (u.failed || u.written - u.lastAcked < this.limits.ackEveryBytes) return undefined;
      u.lastAcked = u.written;
      return u.written;
    });
  }

  /** All bytes arrived: verifies and moves the file into the upload directory. */
  async end(connection: string, fileId: number): Promise<StoredUpload> {
    const key = keyOf(connection, fileId);
    const u = this.require(connection, fileId);
    if (u.received !== u.size)
      throw new TransferError('file_rejected', `ended at ${u.received} of ${u.size} bytes`);
    this.active.delete(key);
    this.finishing++;
    await u.chain;
    try {
      if (u.failed) throw u.failed;
      if (!u.handle) u.handle = await open(u.partialPath, 'w', 0o644); // an empty file
      // readable by the browser, whatever the agent's umask (systemd's UMask=0027) took away
      await u.handle.chmod(0o644);
      await u.handle.sync();
      await u.handle.close();
      u.handle = undefined;
      const storedName = uniqueName(this.dirs.uploads, u.name, this.reserved);
      this.reserved.add(storedName);
      try {
        await rename(u.partialPath, join(this.dirs.uploads, storedName));
      } finally {
        this.reserved.delete(storedName);
      }
      this.storedBytes += u.size;
      return { storedName, path: join(this.dirs.uploads, storedName), size: u.size, mime: u.mime };
    } catch (err) {
      await discard(u);
      if (err instanceof TransferError) throw err;
      throw new TransferError('file_rejected', 'could not store the file', { cause: err });
    } finally {
      this.finishing--;
    }
  }

  /** Whether `fileId` is an upload in progress on `connection`. */
  has(connection: string, fileId: number): boolean {
    return this.active.has(keyOf(connection, fileId));
  }

  /** Gives up on an upload and deletes its bytes (idempotent). */
  async abort(connection: string, fileId: number): Promise<void> {
    const key = keyOf(connection, fileId);
    const u = this.active.get(key);
    if (!u) return;
    this.active.delete(key);
    await discard(u);
  }

  /** The connection is gone: its uploads wait for a resume (or are deleted by `sweep`). */
  disconnect(connection: string, now = Date.now()): void {
    for (const [key, u] of this.active) {
      if (!key.startsWith(`${connection}\u0000`)) continue;
      this.active.delete(key);
      u.orphanedAt = now;
      const previous = this.orphans.get(u.resumeKey);
      if (previous) void discard(previous);
      this.orphans.set(u.resumeKey, u);
    }
  }

  /** Deletes interrupted uploads nobody resumed in time. */
  async sweep(now = Date.now()): Promise<void> {
    for (const [key, u] of this.orphans) {
      if (now - u.orphanedAt < this.limits.resumeTtlMs) continue;
      this.orphans.delete(key);
      await discard(u);
    }
  }

  /** Uploads running or waiting for a resume (tests, diagnostics). */
  get counts(): { active: number; finishing: number; interrupted: number } {
    return { active: this.active.size, finishing: this.finishing, interrupted: this.orphans.size };
  }

  /** Deletes every partial (session end). */
  async close(): Promise<void> {
    const all = [...this.active.values(), ...this.orphans.values()];
    this.active.clear();
    this.orphans.clear();
    await Promise.all(all.map(discard));
  }

  private require(connection: string, fileId: number): Upload {
    const u = this.active.get(keyOf(connection, fileId));
    if (!u) throw new TransferError('file_rejected', 'unknown file id');
    return u;
  }

  private inFlightBytes(): number {
    let n = 0;
    for (const u of this.active.values()) n += u.size;
    for (const u of this.orphans.values()) n += u.size;
    return n;
  }
}

function keyOf(connection: string, fileId: number): string {
  return `${connection}\u0000${fileId}`;
}

async function discard(u: Upload): Promise<void> {
  u.failed ??= new Error('discarded');
  await u.chain.catch(() => undefined);
  await u.handle?.close().catch(() => undefined);
  u.handle = undefined;
  await rm(u.partialPath, { force: true }).catch(() => undefined);
}
