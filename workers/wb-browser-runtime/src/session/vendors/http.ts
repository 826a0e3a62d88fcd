// Vendor HTTP: JSON requests with retries (network errors, 429 and 5xx; 3 attempts, 100 ms then
// 500 ms back-off, 30 s per attempt) and the mapping of HTTP failures to protocol codes.

import { CodedError } from '../../failure/codes.ts';
import type { Logger } from '../../protocol/log.ts';

export interface RetryOptions {
  label: string;
  logger: Logger;
  attempts?: number;
  backoffMs?: readonly number[];
  timeoutMs?: number;
}

const BACKOFF_MS = [100, 500] as const;

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

export async function retryableFetch(
  url: string,
  init: RequestInit,
  options: RetryOptions,
): Promise<Response> {
  const attempts = options.attempts ?? 3;
  const backoff = options.backoffMs ?? BACKOFF_MS;
  const timeoutMs = options.timeoutMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      if (!retryable(response.status) || attempt >= attempts) return response;
      reason = `HTTP ${response.status}`;
      await response.body?.cancel();
    } catch (error) {
      if (attempt >= attempts) throw error;
      reason = (error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message;
    }
    options.logger.info('retry', `${options.label} attempt ${attempt}/${attempts} (${reason})`);
    await sleep(backoff[Math.min(attempt - 1, backoff.length - 1)] ?? 500);
  }
}

/** Reads a JSON body from a 2xx response, or throws the protocol error for the failure. */
export async function expectJson(
  response: Response,
  what: string,
): Promise<Record<string, unknown>> {
  if (!response.ok) throw await httpFailure(response, what);
  try {
    const body = (await response.json()) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body))
      return body as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new CodedError('SESSION_ALLOCATE_FAILED', `${what}: response is not a JSON object`);
}

/** 401/403 → AUTH_FAILED, any other failure → SESSION_ALLOCATE_FAILED. */
export async function httpFailure(response: Response, what: string): Promise<CodedError> {
  const body = (await response.text().catch(() => '')).slice(0, 200);
  const detail = `${what}: HTTP ${response.status}${body ? ` ${body}` : ''}`;
  const auth = response.status === 401 || response.status === 403;
  return new CodedError(auth ? 'AUTH_FAILED' : 'SESSION_ALLOCATE_FAILED', detail);
}

/** Network failures while allocating are allocation failures. */
export function allocationError(error: unknown, what: string): Error {
  if (error instanceof CodedError) return error;
  return new CodedError('SESSION_ALLOCATE_FAILED', `${what}: ${(error as Error).message}`, {
    cause: error,
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
