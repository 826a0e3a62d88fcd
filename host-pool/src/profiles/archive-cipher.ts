/**
 * The encrypted profile archive format: `BPP1` (4 bytes), a 12-byte IV, the AES-256-GCM
 * ciphertext of the gzip'd tar, the 16-byte tag. The session id is the associated data, so an
 * archive of one session never opens as another's. Encryption streams; decryption reads the tag
 * from the end of the file first and fails on the last chunk when anything was changed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { type Readable, Transform } from 'node:stream';

const MAGIC = Buffer.from('BPP1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const ARCHIVE_OVERHEAD = MAGIC.length + IV_BYTES + TAG_BYTES;

export class ProfileArchiveError extends Error {
  constructor(
    readonly code:
      | 'not_an_archive'
      | 'tampered'
      | 'too_large'
      | 'unsafe_entry'
      | 'bad_tar'
      | 'transfer_failed',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProfileArchiveError';
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== 32)
    throw new ProfileArchiveError('not_an_archive', 'a profile key is 32 bytes');
}

/** A transform that encrypts what flows through it into the archive format. */
export function encryptingStream(key: Buffer, sessionId: string): Transform {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(sessionId));
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!started) {
        started = true;
        this.push(Buffer.concat([MAGIC, iv]));
      }
      done(null, cipher.update(chunk));
    },
    flush(done) {
      if (!started) this.push(Buffer.concat([MAGIC, iv]));
      this.push(cipher.final());
      this.push(cipher.getAuthTag());
      done();
    },
  });
}

/**
 * The plaintext of the archive file at `path`, as a stream that errors (`tampered`) at its end
 * when the file was changed or the key is not this session's.
 */
export function decryptingStream(path: string, key: Buffer, sessionId: string): Readable {
  checkKey(key);
  const fd = openSync(path, 'r');
  let header: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = fstatSync(fd).size;
    if (size < ARCHIVE_OVERHEAD)
      throw new ProfileArchiveError('not_an_archive', 'the profile archive is truncated');
    header = Buffer.alloc(MAGIC.length + IV_BYTES);
    readSync(fd, header, 0, header.length, 0);
    tag = Buffer.alloc(TAG_BYTES);
    readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    closeSync(fd);
  }
  if (!header.subarray(0, MAGIC.length).equals(MAGIC))
    throw new ProfileArchiveError('not_an_archive', 'not a BrowserPane profile archive');
  const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(MAGIC.length));
  decipher.setAAD(Buffer.from(sessionId));
  decipher.setAuthTag(tag);
  const body = createReadStream(path, { start: header.length, end: size - TAG_BYTES - 1 });
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, decipher.update(chunk));
    },
    flush(done) {
      try {
        this.push(decipher.final());
        done();
      } catch (cause) {
        done(
          new ProfileArchiveError('tampered', 'the profile archive does not authenticate', {
            cause,
          }),
        );
      }
    },
  });
  body.on('error', (err) => out.destroy(err));
  // an empty ciphertext never calls transform: the flush still authenticates
  return body.pipe(out);
}
