/**
 * Portable profiles on the host: saves a session's profile and downloads (compressed, encrypted
 * with the session's key) to the edge's artifact store, and restores the saved one when the
 * session starts here and what is on this disk is not it. Saves of one session never overlap.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Logger } from '../log.ts';
import { decryptingStream, encryptingStream, ProfileArchiveError } from './archive-cipher.ts';
import type { ProfileEdge } from './profile-edge.ts';
import { PROFILE_TOPS, tarSessionProfile } from './profile-tar.ts';
import { untarSafely } from './safe-untar.ts';

export interface ProfileSyncOptions {
  readonly edge: ProfileEdge;
  /** The agent's own scratch directory (archives in transit). */
  readonly workDir: string;
  readonly log: Logger;
  /** Largest unpacked profile (content bytes); larger archives are refused. */
  readonly maxUnpackedBytes: number;
  readonly maxEntries?: number;
  readonly tarPath?: string;
}

export interface SaveResult {
  readonly revision: string;
  /** Encrypted archive bytes sent. */
  readonly bytes: number;
  /** Tar bytes before compression. */
  readonly tarBytes: number;
  readonly ms: number;
}

export interface RestoreResult {
  readonly revision: string;
  readonly bytes: number;
  readonly files: number;
  readonly skipped: number;
  readonly ms: number;
}

const MARKER = 'profile-revision';

/** Counts bytes and digests them on their way through. */
function meter(): Transform & { bytes: number; sha256: () => string } {
  const hash = createHash('sha256');
  const t = new Transform({
    transform(chunk: Buffer, _e, done) {
      hash.update(chunk);
      (t as unknown as { bytes: number }).bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { bytes: number; sha256: () => string };
  t.bytes = 0;
  t.sha256 = () => hash.digest('hex');
  return t;
}

/** Fails the stream once more than `max` bytes went through. */
function cap(max: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _e, done) {
      seen += chunk.length;
      if (seen > max) done(new ProfileArchiveError('too_large', `${what} exceeds ${max} bytes`));
      else done(null, chunk);
    },
  });
}

export class ProfileSync {
  private readonly queue = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ProfileSyncOptions) {
    mkdirSync(options.workDir, { recursive: true, mode: 0o700 });
  }

  /** The revision this host's copy of the session's profile is (null: none known). */
  localRevision(sessionDir: string): string | null {
    try {
      const text = readFileSync(join(sessionDir, MARKER), 'utf8').trim();
      return /^[0-9a-f-]{36}$/.test(text) ? text : null;
    } catch {
      return null;
    }
  }

  private mark(sessionDir: string, revision: string): void {
    writeFileSync(join(sessionDir, MARKER), revision, { mode: 0o600 });
  }

  /** One operation on a session's profile at a time. */
  private serial<T>(sessionId: string, op: () => Promise<T>): Promise<T> {
    const before = this.queue.get(sessionId) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(op);
    this.queue.set(sessionId, next);
    void next
      .finally(() => {
        if (this.queue.get(sessionId) === next) this.queue.delete(sessionId);
      })
      .catch(() => undefined);
    return next;
  }

  /** Whether the edge holds a saved profile for the session (it then has to be restored). */
  async hasSaved(sessionId: string): Promise<boolean> {
    const access = await this.options.edge.access(sessionId);
    return access.saved != null;
  }

  /** Saves `sessionDir`'s profile and downloads as the session's next revision. */
  save(sessionId: string, sessionDir: string): Promise<SaveResult> {
    return this.serial(sessionId, () => this.saveNow(sessionId, sessionDir));
  }

  /**
   * Makes the session's directory hold its saved profile, unless this host's copy is that
   * revision already (or nothing was ever saved). Call before the session's browser starts.
   */
  restore(sessionId: string, sessionDir: string): Promise<RestoreResult | null> {
    return this.serial(sessionId, () => this.restoreNow(sessionId, sessionDir));
  }

  private async saveNow(sessionId: string, sessionDir: string): Promise<SaveResult> {
    const started = performance.now();
    for (const top of PROFILE_TOPS)
      mkdirSync(join(sessionDir, top), { recursive: true, mode: 0o700 });
    const access = await this.options.edge.access(sessionId);
    const key = Buffer.from(access.key, 'base64url');
    const file = join(this.options.workDir, `${sessionId}.${randomUUID()}.save`);
    try {
      const tar = tarSessionProfile(sessionDir, this.options.tarPath);
      const plain = meter();
      const sealed = meter();
      await Promise.all([
        pipeline(
          tar.stdout,
          plain,
          createGzip({ level: 6 }),
          encryptingStream(key, sessionId),
          sealed,
          cap(access.upload.max_bytes, 'the profile archive'),
          createWriteStream(file, { mode: 0o600 }),
        ),
        tar.done,
      ]);
      const sha256 = sealed.sha256();
      await this.options.edge.upload(sessionId, access.upload, file, sealed.bytes, sha256);
      this.mark(sessionDir, access.upload.revision);
      const result = {
        revision: access.upload.revision,
        bytes: sealed.bytes,
        tarBytes: plain.bytes,
        ms: Math.round(performance.now() - started),
      };
      this.options.log.info('profile saved', { sessionId, ...result });
      return result;
    } finally {
      rmSync(file, { force: true });
    }
  }

  private async restoreNow(sessionId: string, sessionDir: string): Promise<RestoreResult | null> {
    const started = performance.now();
    const access = await this.options.edge.access(sessionId);
    const saved = access.saved;
    if (!saved || !access.download) return null;
    if (
      this.localRevision(sessionDir) === saved.revision &&
      existsSync(join(sessionDir, 'profile'))
    )
      return null;
    const key = Buffer.from(access.key, 'base64url');
    const id = randomUUID();
    const archive = join(this.options.workDir, `${sessionId}.${id}.archive`);
    const tarFile = join(this.options.workDir, `${sessionId}.${id}.tar`);
    const stage = join(sessionDir, `.restore-${id}`);
    try {
      const got = meter();
      await this.options.edge.download(sessionId, access.download, archive, got, saved.size);
      if (got.bytes !== saved.size || got.sha256() !== saved.sha256)
        throw new ProfileArchiveError(
          'transfer_failed',
          'the downloaded profile archive differs from the saved one',
        );
      // authenticated in full (the tag is checked at the end) before anything is unpacked
      const maxTar = this.options.maxUnpackedBytes * 2 + 64 * 1024 * 1024;
      await pipeline(
        decryptingStream(archive, key, sessionId),
        createGunzip(),
        cap(maxTar, 'the unpacked profile archive'),
        createWriteStream(tarFile, { mode: 0o600 }),
      );
      mkdirSync(sessionDir, { recursive: true, mode: 0o700 });
      mkdirSync(stage, { mode: 0o700 });
      const unpacked = await untarSafely(tarFile, stage, PROFILE_TOPS, {
        maxBytes: this.options.maxUnpackedBytes,
        maxEntries: this.options.maxEntries ?? 200_000,
      });
      for (const top of PROFILE_TOPS) {
        const target = join(sessionDir, top);
        rmSync(target, { recursive: true, force: true });
        const staged = join(stage, top);
        if (existsSync(staged)) renameSync(staged, target);
        else mkdirSync(target, { mode: 0o700 });
      }
      this.mark(sessionDir, saved.revision);
      const result = {
        revision: saved.revision,
        bytes: saved.size,
        files: unpacked.files,
        skipped: unpacked.skipped,
        ms: Math.round(performance.now() - started),
      };
      this.options.log.info('profile restored', { sessionId, ...result });
      return result;
    } finally {
      rmSync(archive, { force: true });
      rmSync(tarFile, { force: true });
      rmSync(stage, { recursive: true, force: true });
    }
  }
}
