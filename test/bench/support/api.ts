import type { Page } from 'playwright-core';

/** Calls the edge API v1 with the bearer token the console holds for the signed-in user. */
export async function apiAs(
  page: Page,
  edgeUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const token = await page.evaluate(
    () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
  );
  const res = await fetch(`${edgeUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Makes the signed-in user the session's automation owner and mints an automation ticket. */
export async function automationTicket(
  page: Page,
  edgeUrl: string,
  sessionId: string,
): Promise<string> {
  const me = (await apiAs(page, edgeUrl, 'GET', '/api/v1/me')) as { principal_id: string };
  await apiAs(page, edgeUrl, 'POST', `/api/v1/sessions/${sessionId}/automation-owner`, {
    principal_id: me.principal_id,
  });
  const answer = (await apiAs(
    page,
    edgeUrl,
    'POST',
    `/api/v1/sessions/${sessionId}/access-tokens`,
    { role: 'automation' },
  )) as { token: string };
  return answer.token;
}
