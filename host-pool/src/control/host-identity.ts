import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What the agent keeps of its enrolment: the edge binds its host name to this credential. */
export interface StoredIdentity {
  readonly name: string;
  readonly hostId: string;
  readonly credential: string;
}

/**
 * The host's enrolment, kept in its data directory (readable by the agent's user only), so an
 * agent that restarts re-enrols its name with the credential the edge bound it to. Without it the
 * edge refuses to re-enrol a live host's name (409 host_name_taken) until that host is lost.
 */
export class HostIdentityFile {
  constructor(private readonly path: string) {}

  /** The stored identity for `name`, if any (a file for another name is ignored). */
  read(name: string): StoredIdentity | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<StoredIdentity>;
      if (
        parsed.name === name &&
        typeof parsed.hostId === 'string' &&
        typeof parsed.credential === 'string'
      ) {
        return { name, hostId: parsed.hostId, credential: parsed.credential };
      }
    } catch {
      // none yet, or unreadable: enrol as new
    }
    return undefined;
  }

  write(identity: StoredIdentity): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(identity)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
