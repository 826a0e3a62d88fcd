import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extensionAllowed, reserveUniquePath, resolveInside, sanitizeName } from './paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('paths', () => {
  it('keeps paths inside the root', () => {
    expect(resolveInside('/a/b', 'c/d.png', 'x')).toBe('/a/b/c/d.png');
    expect(() => resolveInside('/a/b', '/etc/passwd', 'screenshot')).toThrow(
      'screenshot: absolute paths are not allowed (got /etc/passwd)',
    );
    expect(() => resolveInside('/a/b', '../c', 'x')).toThrow(
      'x: path escapes artifacts dir (got ../c)',
    );
    expect(() => resolveInside('/a/b', 'c/../../d', 'x')).toThrow('escapes');
    expect(() => resolveInside('/a/b', '.', 'x')).toThrow('escapes');
  });

  it('sanitizes names', () => {
    expect(sanitizeName('orders 2024/May.json', 'f')).toBe('orders_2024_May.json');
    expect(sanitizeName('..', 'fallback')).toBe('fallback');
    expect(sanitizeName('.hidden', 'f')).toBe('hidden');
    expect(sanitizeName('x'.repeat(300), 'f')).toHaveLength(200);
  });

  it('applies the extension allowlist', () => {
    expect(extensionAllowed('a.CSV', ['csv'])).toBe(true);
    expect(extensionAllowed('a.exe', ['csv'])).toBe(false);
    expect(extensionAllowed('noext', ['csv'])).toBe(false);
    expect(extensionAllowed('anything', null)).toBe(true);
  });

  it('reserves unique names', async () => {
    writeFileSync(join(dir, 'r.csv'), 'x');
    expect(basename(await reserveUniquePath(dir, 'r.csv'))).toBe('r-2.csv');
    expect(basename(await reserveUniquePath(dir, 'r.csv'))).toBe('r-3.csv');
    expect(basename(await reserveUniquePath(dir, 'plain'))).toBe('plain');
    expect(basename(await reserveUniquePath(dir, 'plain'))).toBe('plain-2');
  });
});
