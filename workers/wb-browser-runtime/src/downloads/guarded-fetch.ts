// Fetches a signed URL's bytes on the runtime side, behind an SSRF guard: http(s) only, host
// re-validated on every hop, ≤ 5 redirects, private targets refused unless allowed, size capped.

import { createWriteStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { guardedLookup, isPrivateAddress } from './ip-guard.ts';

export interface GuardedFetchOptions {
  allowHost(host: string): boolean;
  allowPrivate: boolean;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
}

export interface GuardedFetchResult {
  finalUrl: string;
  status: number;
  contentType: string | null;
  contentDisposition: string | null;
  bytes: number;
}

export class DownloadFetchError extends Error {
  readonly reason: string;
  readonly details: Record<string, unknown>;
  constructor(reason: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.reason = reason;
    this.details = details;
  }
}

/** Streams `url` into `destination`. */
export async function guardedDownload(
  url: string,
  destination: string,
  options: GuardedFetchOptions,
): Promise<GuardedFetchResult> {
  const maxRedirects = options.maxRedirects ?? 5;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await open(current, options, deadline);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= maxRedirects) {
        throw new DownloadFetchError('too_many_redirects', `more than ${maxRedirects} redirects`);
      }
      current = new URL(response.headers.location, current).toString();
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new DownloadFetchError('http_error', `HTTP ${status}`, {
        http_status: status,
        expired: status === 403,
      });
    }
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.resume();
      throw new DownloadFetchError(
        'too_large',
        `content-length ${declared} exceeds ${options.maxBytes}`,
        {
          content_length: declared,
          max_bytes: options.maxBytes,
        },
      );
    }
    const bytes = await writeCapped(response, destination, options.maxBytes, deadline);
    return {
      finalUrl: current,
      status,
      contentType: header(response, 'content-type'),
      contentDisposition: header(response, 'content-disposition'),
      bytes,
    };
  }
}

function validate(url: URL, options: GuardedFetchOptions): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DownloadFetchError('unsupported_protocol', `unsupported protocol ${url.protocol}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowHost(host)) {
    throw new DownloadFetchError(
      'host_not_allowed',
      `host ${host} is not an allowed download host`,
    );
  }
  if (isIP(host) && isPrivateAddress(host) && !options.allowPrivate) {
    throw new DownloadFetchError('private_address', `refusing private address ${host}`);
  }
}

function open(
  target: string,
  options: GuardedFetchOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.reject(new DownloadFetchError('invalid_url', 'invalid URL'));
  }
  try {
    validate(url, options);
  } catch (error) {
    return Promise.reject(error);
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      signal,
      // a fresh connection each time, so the address check in `lookup` always runs
      agent: false,
      lookup: guardedLookup(options.allowPrivate) as never,
      headers: { 'user-agent': 'wb-browser-runtime', accept: '*/*' },
    });
    req.on('response', resolve);
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(new DownloadFetchError('timeout', 'timed out'));
      else if (error.code === 'EPRIVATE')
        reject(new DownloadFetchError('private_address', error.message));
      else reject(new DownloadFetchError('network_error', error.message));
    });
    req.end();
  });
}

async function writeCapped(
  response: IncomingMessage,
  destination: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<number> {
  let bytes = 0;
  const counter = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        throw new DownloadFetchError('too_large', `body exceeds ${maxBytes} bytes`, {
          max_bytes: maxBytes,
        });
      }
      yield chunk;
    }
  };
  try {
    await pipeline(response, counter, createWriteStream(destination), { signal });
  } catch (error) {
    if (error instanceof DownloadFetchError) throw error;
    if (signal.aborted) throw new DownloadFetchError('timeout', 'timed out reading the body');
    throw new DownloadFetchError('network_error', (error as Error).message);
  }
  return bytes;
}

function header(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return typeof value === 'string' ? value : null;
}
