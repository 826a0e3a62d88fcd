import { expect } from 'vitest';
import { checkRequest, checkResponse } from './contract.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked against the OpenAPI schemas instead
type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Raw body (sent as is), for malformed-input tests. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Skip the OpenAPI response check (only for deliberately undocumented probes). */
  unchecked?: boolean;
}

/**
 * A small HTTP client for the edge that checks every answer against the OpenAPI document (and
 * every JSON request body against the documented request schema), so each integration test is
 * also a contract test.
 */
export class Api {
  constructor(readonly baseUrl: string) {}

  async request<T = Json>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
      if (!options.unchecked)
        expect(checkRequest(method, path.split('?')[0] as string, options.body)).toEqual([]);
    }
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body,
      redirect: 'manual',
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (type.includes('json') && text) parsed = JSON.parse(text);
    if (!options.unchecked) {
      const problems = checkResponse(
        method,
        new URL(res.url || `${this.baseUrl}${path}`).pathname,
        res.status,
        type,
        parsed,
      );
      expect(problems, `contract: ${method} ${path}`).toEqual([]);
    }
    if (res.status >= 400 && type.includes('json') && (parsed as { code?: unknown }).code) {
      expect(res.headers.get('x-request-id')).toBe((parsed as { request_id: string }).request_id);
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = Json>(path: string, token?: string | null, options: RequestOptions = {}) {
    return this.request<T>('GET', path, { ...options, token });
  }

  post<T = Json>(
    path: string,
    token?: string | null,
    body?: unknown,
    options: RequestOptions = {},
  ) {
    return this.request<T>('POST', path, { ...options, token, body });
  }

  patch<T = Json>(
    path: string,
    token?: string | null,
    body?: unknown,
    options: RequestOptions = {},
  ) {
    return this.request<T>('PATCH', path, { ...options, token, body });
  }

  delete<T = Json>(path: string, token?: string | null, options: RequestOptions = {}) {
    return this.request<T>('DELETE', path, { ...options, token });
  }
}
