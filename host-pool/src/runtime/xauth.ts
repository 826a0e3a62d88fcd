import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/** An MIT-MAGIC-COOKIE-1 credential for one X display. */
export interface XAuthCookie {
  readonly name: 'MIT-MAGIC-COOKIE-1';
  /** The 16 cookie bytes as a latin1 string (the form the `x11` package sends). */
  readonly data: string;
}

/** A fresh random cookie. */
export function newXAuthCookie(): XAuthCookie {
  return { name: 'MIT-MAGIC-COOKIE-1', data: randomBytes(16).toString('latin1') };
}

const FAMILY_WILD = 0xffff;

function field(value: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(value.length);
  return Buffer.concat([len, value]);
}

/**
 * Writes an Xauthority file (mode 0600) with one wildcard-address entry for `displayNumber`, so
 * Xvfb (`-auth`) admits only holders of the cookie and Chromium (`XAUTHORITY`) can connect.
 */
export function writeXAuthorityFile(
  path: string,
  displayNumber: number,
  cookie: XAuthCookie,
): void {
  const family = Buffer.alloc(2);
  family.writeUInt16BE(FAMILY_WILD);
  const entry = Buffer.concat([
    family,
    field(Buffer.alloc(0)),
    field(Buffer.from(String(displayNumber), 'ascii')),
    field(Buffer.from(cookie.name, 'ascii')),
    field(Buffer.from(cookie.data, 'latin1')),
  ]);
  writeFileSync(path, entry, { mode: 0o600 });
}
