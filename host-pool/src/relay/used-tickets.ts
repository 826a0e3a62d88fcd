import {
  appendFileSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** Ticket ids already admitted, each until its ticket expires: a ticket admits one connection. */
export interface UsedTickets {
  /** Records `jti` (valid until `expiresAt`, ms); false when it was already used. */
  claim(jti: string, expiresAt: number): boolean;
}

/** Entries past their expiry by this much are forgotten (covers clock tolerance). */
const KEEP_AFTER_EXPIRY_MS = 30_000;
const JTI = /^[\x21-\x7e]{1,256}$/;

/** Used ids in memory only (tests, tools): forgotten when the process ends. */
export class MemoryUsedTickets implements UsedTickets {
  protected readonly used = new Map<string, number>();

  claim(jti: string, expiresAt: number): boolean {
    this.sweep(Date.now());
    if (this.used.has(jti)) return false;
    this.used.set(jti, expiresAt);
    return true;
  }

  get size(): number {
    return this.used.size;
  }

  protected sweep(now: number, force = false): void {
    if (!force && this.used.size < 1024) return;
    for (const [jti, exp] of this.used) if (exp + KEEP_AFTER_EXPIRY_MS < now) this.used.delete(jti);
  }
}

/**
 * Used ids that survive an agent restart: each claim appends `<jti> <expiresAt>` to a file in the
 * host's data directory before the connection is admitted (a write to the page cache, so it
 * outlives the process even when it is killed; a power loss takes longer than a ticket lives),
 * and a new agent reads the file back, so a ticket used before a restart is still refused after
 * it. The file is rewritten without expired entries at start and whenever it has grown to twice
 * the live entries. A claim that cannot be recorded throws: the ticket is refused rather than
 * admitted unrecorded.
 */
export class FileUsedTickets extends MemoryUsedTickets {
  private lines = 0;

  constructor(private readonly path: string) {
    super();
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const now = Date.now();
    for (const line of text.split('\n')) {
      const [jti, exp] = line.split(' ');
      const expiresAt = Number(exp);
      if (
        jti &&
        JTI.test(jti) &&
        Number.isFinite(expiresAt) &&
        expiresAt + KEEP_AFTER_EXPIRY_MS >= now
      )
        this.used.set(jti, expiresAt);
    }
    this.compact();
  }

  override claim(jti: string, expiresAt: number): boolean {
    if (!JTI.test(jti)) return false;
    const fresh = super.claim(jti, expiresAt);
    if (!fresh) return false;
    try {
      appendFileSync(this.path, `${jti} ${expiresAt}\n`, { mode: 0o600 });
    } catch (err) {
      this.used.delete(jti);
      throw err;
    }
    this.lines++;
    if (this.lines > 1024 && this.lines > 2 * this.size) {
      this.sweep(Date.now(), true);
      this.compact();
    }
    return true;
  }

  /** Rewrites the file with the live entries only (write a temporary file, sync, rename). */
  private compact(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      let out = '';
      for (const [jti, exp] of this.used) out += `${jti} ${exp}\n`;
      writeSync(fd, out);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.lines = this.size;
  }
}
