import {
  closeSync,
  lchownSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../runtime/process-tools.ts';
import { SandboxError } from './errors.ts';
import { SANDBOX_UID_RANGE } from './settings.ts';
import { runTool, type ToolPaths } from './tools.ts';

/** Where root agents claim session user ids: one file per id in use, holding the agent's pid. */
export const UID_LOCK_DIR = '/run/browserpane/sandbox-uids';

/** Who a session's processes run as. */
export interface SessionIdentity {
  readonly uid: number;
  readonly gid: number;
  /**
   * True when the session has a user id of its own (root agent); false when it shares the
   * agent's (a non-root agent: the namespaces still separate it, see SECURITY.md).
   */
  readonly own: boolean;
}

/**
 * Claims a free session user id of `base … base + SANDBOX_UID_RANGE − 1` by creating its lock file
 * exclusively (O_EXCL), so agents sharing a kernel never hand out the same id; a lock left by an
 * agent that died is taken over. `release()` gives the id back.
 */
export function claimIdentity(
  base: number,
  lockDir = UID_LOCK_DIR,
): { identity: SessionIdentity; release(): void } {
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  for (let uid = base; uid < base + SANDBOX_UID_RANGE; uid++) {
    const file = join(lockDir, String(uid));
    if (!tryLock(file)) continue;
    let released = false;
    return {
      identity: { uid, gid: uid, own: true },
      release: () => {
        if (released) return;
        released = true;
        if (lockOwner(file) === process.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new SandboxError(
    'no_free_identity',
    `all ${SANDBOX_UID_RANGE} session user ids are in use`,
  );
}

/** The agent's own identity, shared by its sessions (non-root agent). */
export function sharedIdentity(): SessionIdentity {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, own: false };
}

/** Ids whose lock names an agent that is gone (their namespaces and files are leftovers). */
export function staleIdentities(lockDir = UID_LOCK_DIR): number[] {
  let names: string[];
  try {
    names = readdirSync(lockDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      const owner = lockOwner(join(lockDir, n));
      return owner !== undefined && owner !== process.pid && !isAlive(owner);
    })
    .map(Number);
}

/** Removes the lock of `uid` (after its leftovers were cleaned). */
export function dropIdentityLock(uid: number, lockDir = UID_LOCK_DIR): void {
  rmSync(join(lockDir, String(uid)), { force: true });
}

/** True when a live process (other than a dead agent's) holds `uid`. */
export function identityInUse(uid: number, lockDir = UID_LOCK_DIR): boolean {
  const owner = lockOwner(join(lockDir, String(uid)));
  return owner !== undefined && isAlive(owner);
}

function tryLock(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch {
      const owner = lockOwner(file);
      // a lock of an agent that died: take it over (once; another agent may race us for it)
      if (owner !== undefined && owner !== process.pid && !isAlive(owner) && attempt === 0) {
        rmSync(file, { force: true });
        continue;
      }
      return false;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  }
  return false;
}

function lockOwner(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gives `dirs` (and everything in them) to the session's user, without following symbolic links
 * (`chown -R -P`): a tree the session could write before must not lead the agent elsewhere. A
 * directory already owned by the user is left as it is (it was handed over whole before).
 */
export async function adoptTrees(
  tools: ToolPaths,
  identity: SessionIdentity,
  dirs: readonly string[],
): Promise<void> {
  if (!identity.own) return;
  const todo = dirs.filter((d) => statSync(d).uid !== identity.uid);
  if (todo.length === 0) return;
  await runTool(tools.chown, ['-R', '-P', `${identity.uid}:${identity.gid}`, '--', ...todo], {
    timeoutMs: 60_000,
  });
}

/** Gives one file the agent created (in a directory only the agent can change) to the user. */
export function adoptFile(identity: SessionIdentity, path: string): void {
  if (identity.own) lchownSync(path, identity.uid, identity.gid);
}
