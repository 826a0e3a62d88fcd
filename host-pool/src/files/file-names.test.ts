import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanMime,
  downloadName,
  fitBytes,
  mimeFor,
  uniqueName,
  uploadName,
} from './file-names.ts';

describe('uploadName', () => {
  it('keeps ordinary names, Unicode included', () => {
    expect(uploadName('report.pdf')).toBe('report.pdf');
    expect(uploadName('  Übersicht 2026 (final).xlsx ')).toBe('Übersicht 2026 (final).xlsx');
    expect(uploadName('.env')).toBe('.env');
  });

  it('refuses anything that is not a bare name', () => {
    for (const bad of [
      '',
      '   ',
      '.',
      '..',
      '../etc/passwd',
      'a/b',
      'a\\b',
      'nul\u0000byte',
      'line\nbreak',
      'del\u007f',
      'é'.repeat(128),
    ])
      expect(uploadName(bad), JSON.stringify(bad)).toBeUndefined();
  });
});

describe('downloadName', () => {
  it('cleans what the page suggested instead of refusing it', () => {
    expect(downloadName('report.csv')).toBe('report.csv');
    expect(downloadName('../../x.txt')).toBe('.._.._x.txt');
    expect(downloadName('')).toBe('download');
    expect(downloadName('..')).toBe('download');
    expect(downloadName('a\tb')).toBe('a_b');
  });

  it('keeps the extension when cutting long names to 255 bytes', () => {
    const long = `${'ü'.repeat(300)}.tar.gz`;
    const cut = downloadName(long);
    expect(new TextEncoder().encode(cut).byteLength).toBeLessThanOrEqual(255);
    expect(cut.endsWith('.gz')).toBe(true);
    expect(fitBytes('short.txt', 255)).toBe('short.txt');
  });
});

describe('uniqueName', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bp-names-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers names that exist or are reserved', () => {
    expect(uniqueName(dir, 'a.txt')).toBe('a.txt');
    writeFileSync(join(dir, 'a.txt'), '');
    expect(uniqueName(dir, 'a.txt')).toBe('a (2).txt');
    expect(uniqueName(dir, 'a.txt', new Set(['a (2).txt']))).toBe('a (3).txt');
    writeFileSync(join(dir, 'noext'), '');
    expect(uniqueName(dir, 'noext')).toBe('noext (2)');
  });
});

describe('MIME types', () => {
  it('guesses from the extension and trusts only well-formed declarations', () => {
    expect(mimeFor('x.PDF')).toBe('application/pdf');
    expect(mimeFor('x.unknown')).toBe('application/octet-stream');
    expect(cleanMime('text/plain', 'x.bin')).toBe('text/plain');
    expect(cleanMime('', 'x.png')).toBe('image/png');
    expect(cleanMime('text/html; evil', 'x.txt')).toBe('text/plain');
  });
});
