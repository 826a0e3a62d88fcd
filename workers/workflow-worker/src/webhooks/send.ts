/**
 * One delivery attempt: POST the signed body to the address the guard checked (TLS still verifies
 * the URL's name), no redirects followed, a time limit on the whole exchange. What comes back is
 * the status or an error text — never the headers we sent (they carry signatures).
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget, TargetRefused } from './address-guard.ts';

export interface SendRequest {
  target_url: string;
  headers: Record<string, string>;
  body: string;
  timeout_ms: number;
  allow_private_targets: boolean;
}

export interface SendResult {
  response_status: number | null;
  error: string | null;
  duration_ms: number;
}

export async function sendDelivery(request: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const done = (response_status: number | null, error: string | null): SendResult => ({
    response_status,
    error: error?.slice(0, 2000) ?? null,
    duration_ms: Math.round(performance.now() - started),
  });
  let url: URL;
  try {
    url = new URL(request.target_url);
  } catch {
    return done(null, 'the target URL does not parse');
  }
  let pinned: Awaited<ReturnType<typeof resolveTarget>>;
  try {
    pinned = await resolveTarget(url.hostname, request.allow_private_targets);
  } catch (error) {
    if (error instanceof TargetRefused) return done(null, `refused: ${error.message}`);
    throw error;
  }
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const body = Buffer.from(request.body, 'utf8');
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(body.length) },
        lookup,
        timeout: request.timeout_ms,
        agent: false,
      },
      (res) => {
        // Read (and drop) at most 64 KiB of the answer so the connection ends cleanly.
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > 64 * 1024) res.destroy();
        });
        const finish = () => resolve(done(res.statusCode ?? null, null));
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${request.timeout_ms} ms`));
    }, request.timeout_ms);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${request.timeout_ms} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(done(null, error.code ? `${error.code}: ${error.message}` : error.message)),
    );
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
