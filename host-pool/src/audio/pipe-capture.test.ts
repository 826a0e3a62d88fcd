import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPipe } from './pipe-capture.ts';

describe('the desktop audio pipe', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-pipe-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a FIFO without blocking', () => {
    const fifo = join(dir, 'out.pcm');
    execFileSync('mkfifo', [fifo]);
    const fd = openPipe(fifo);
    expect(fd).toBeGreaterThan(2);
    closeSync(fd);
  });

  it('refuses a regular file put in its place', () => {
    const file = join(dir, 'out.pcm');
    writeFileSync(file, 'secret');
    expect(() => openPipe(file)).toThrow(/is not a FIFO/);
  });

  it('does not follow a link put in its place (to a file or to a FIFO)', () => {
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'secret');
    const fifo = join(dir, 'real.pcm');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(secret, join(dir, 'to-file.pcm'));
    symlinkSync(fifo, join(dir, 'to-fifo.pcm'));
    expect(() => openPipe(join(dir, 'to-file.pcm'))).toThrow(/ELOOP/);
    expect(() => openPipe(join(dir, 'to-fifo.pcm'))).toThrow(/ELOOP/);
  });
});
