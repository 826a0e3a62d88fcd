import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DownloadFetchError, guardedDownload } from './guarded-fetch.ts';
import { isPrivateAddress } from './ip-guard.ts';
import { hostAllowed, isRecognisedHost, redactSignedUrl } from './signed-url.ts';

describe('signed URL hosts', () => {
  it('recognises object stores', () => {
    for (const host of [
      'bucket.s3.amazonaws.com',
      'bucket.s3.eu-west-1.amazonaws.com',
      'bucket.s3-us-west-2.amazonaws.com',
      's3.amazonaws.com',
      'storage.googleapis.com',
      'storage.cloud.google.com',
      'd111.cloudfront.net',
      'acct.blob.core.windows.net',
      'acct.r2.cloudflarestorage.com',
    ]) {
      expect(isRecognisedHost(host), host).toBe(true);
    }
    for (const host of [
      'evil.com',
      'amazonaws.com.evil.com',
      'googleapis.com',
      'cloudfront.net.evil',
    ]) {
      expect(isRecognisedHost(host), host).toBe(false);
    }
    expect(hostAllowed('files.example.com', ['example.com'])).toBe(true);
    expect(hostAllowed('example.com', ['example.com'])).toBe(true);
    expect(hostAllowed('badexample.com', ['example.com'])).toBe(false);
  });

  it('redacts the query', () => {
    expect(redactSignedUrl('https://b.s3.amazonaws.com/a/b.csv?X-Amz-Signature=1')).toBe(
      'https://b.s3.amazonaws.com/a/b.csv?<redacted>',
    );
    expect(redactSignedUrl('https://b.s3.amazonaws.com/a.csv')).toBe(
      'https://b.s3.amazonaws.com/a.csv',
    );
  });

  it('knows private addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111'])
      expect(isPrivateAddress(ip), ip).toBe(false);
  });
});

describe('guardedDownload', () => {
  let server: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'wb-guard-'));
  beforeAll(async () => {
    const redirect = (location: string) => ({ status: 302, headers: { location }, body: '' });
    const routes: Record<
      string,
      { status: number; headers?: Record<string, string>; body: string | string[] }
    > = {
      '/file': { status: 200, body: '0123456789' },
      '/big': { status: 200, headers: { 'content-length': '100' }, body: 'x'.repeat(100) },
      '/stream': { status: 200, body: ['x'.repeat(60), 'y'.repeat(60)] },
      '/loop': redirect('/loop'),
      '/elsewhere': redirect('http://127.0.0.1:1/file'),
      '/hop': redirect('/file'),
    };
    server = createServer((req, res) => {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname] ?? {
        status: 403,
        body: 'expired',
      };
      res.writeHead(route.status, route.headers);
      for (const chunk of [route.body].flat()) res.write(chunk);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  const options = (overrides = {}) => ({
    allowHost: (host: string) => host === 'localhost',
    allowPrivate: true,
    maxBytes: 80,
    timeoutMs: 5000,
    ...overrides,
  });
  const fail = async (url: string, overrides = {}): Promise<DownloadFetchError> => {
    try {
      await guardedDownload(url, join(dir, 'out'), options(overrides));
    } catch (error) {
      return error as DownloadFetchError;
    }
    throw new Error('expected a failure');
  };

  it('downloads and follows same-host redirects', async () => {
    const result = await guardedDownload(`${base}/hop`, join(dir, 'ok'), options());
    expect(result).toMatchObject({ status: 200, bytes: 10, finalUrl: `${base}/file` });
    expect(readFileSync(join(dir, 'ok'), 'utf8')).toBe('0123456789');
  });

  it('refuses what the guard forbids', async () => {
    expect((await fail(`${base}/file`, { allowPrivate: false })).reason).toBe('private_address');
    expect((await fail(`${base}/elsewhere`)).reason).toBe('host_not_allowed');
    expect((await fail('ftp://localhost/file')).reason).toBe('unsupported_protocol');
    expect((await fail(`${base}/loop`)).reason).toBe('too_many_redirects');
    expect(await fail(`${base}/big`)).toMatchObject({
      reason: 'too_large',
      details: { content_length: 100, max_bytes: 80 },
    });
    expect(await fail(`${base}/stream`)).toMatchObject({
      reason: 'too_large',
      details: { max_bytes: 80 },
    });
    expect(await fail(`${base}/gone`)).toMatchObject({
      reason: 'http_error',
      details: { http_status: 403, expired: true },
    });
    const literal = `http://127.0.0.1:${new URL(base).port}/file`;
    expect((await fail(literal, { allowHost: () => true, allowPrivate: false })).reason).toBe(
      'private_address',
    );
  });
});
