/**
 * Using a secret in the run's browser without the entrypoint seeing it: the worker types a value
 * into a form field, sets cookies, or fills web storage over its own CDP connection — only on a
 * page whose origin the binding allows. The origin check and the write happen in one function
 * call inside the page's document (a navigation in between destroys the element's context and the
 * call fails), so nothing reaches a page of another origin.
 */
import { CdpConnection } from './cdp.ts';

export class InjectionError extends Error {}

/** Runs in the page: `this` is the field; checks the document's origin, then sets the value. */
const FILL = `function (value, origins) {
  const origin = this.ownerDocument && this.ownerDocument.location ? this.ownerDocument.location.origin : 'null';
  if (!origins.includes(origin)) return { ok: false, origin };
  if (!(this instanceof HTMLInputElement || this instanceof HTMLTextAreaElement)) return { ok: false, origin, reason: 'not_a_field' };
  this.focus();
  const proto = this instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value').set;
  setter.call(this, value);
  this.dispatchEvent(new Event('input', { bubbles: true }));
  this.dispatchEvent(new Event('change', { bubbles: true }));
  return { ok: true, origin };
}`;

/** Runs in the page: `this` is the document. */
const STORAGE = `function (local, session, origins) {
  const origin = this.location.origin;
  if (!origins.includes(origin)) return { ok: false, origin };
  for (const [k, v] of Object.entries(local || {})) this.defaultView.localStorage.setItem(k, v);
  for (const [k, v] of Object.entries(session || {})) this.defaultView.sessionStorage.setItem(k, v);
  return { ok: true, origin };
}`;

interface CallResult {
  result: { value?: { ok: boolean; origin: string; reason?: string } };
  exceptionDetails?: { text?: string };
}

function refused(origin: string, origins: string[], what: string): InjectionError {
  return new InjectionError(
    `${what} refused: the page's origin ${origin} is not among the binding's allowed origins (${origins.join(', ')})`,
  );
}

/**
 * Attaches to the page; refuses at once (before the secret is even resolved) when the page's
 * current URL is of another origin. The check inside the page, at the write, is the one that
 * counts: the page may navigate in between.
 */
async function withPage<T>(
  cdpUrl: string,
  targetId: string,
  origins: string[],
  what: string,
  use: (cdp: CdpConnection, sessionId: string) => Promise<T>,
): Promise<T> {
  const cdp = await CdpConnection.open(cdpUrl);
  try {
    const info = await cdp
      .send<{ targetInfo: { url: string } }>('Target.getTargetInfo', { targetId })
      .catch((e: Error) => {
        throw new InjectionError(`the page is gone (${e.message})`);
      });
    let origin = 'null';
    try {
      origin = new URL(info.targetInfo.url).origin;
    } catch {
      // about:blank and the like: origin "null"
    }
    if (!origins.includes(origin)) throw refused(origin, origins, what);
    const sessionId = await cdp.attach(targetId).catch((e: Error) => {
      throw new InjectionError(`the page is gone (${e.message})`);
    });
    return await use(cdp, sessionId);
  } finally {
    cdp.close();
  }
}

/**
 * Types values (selector → value) into the page's fields, each after its origin check; `values`
 * is asked for only once the page is known to be on an allowed origin.
 */
export async function fillFields(
  cdpUrl: string,
  targetId: string,
  values: () => Promise<{ selector: string; value: string }[]>,
  origins: string[],
): Promise<void> {
  await withPage(cdpUrl, targetId, origins, 'filling the form', async (cdp, sessionId) => {
    for (const { selector, value } of await values()) {
      const found = await cdp.send<{ result: { objectId?: string; subtype?: string } }>(
        'Runtime.evaluate',
        { expression: `document.querySelector(${JSON.stringify(selector)})` },
        sessionId,
      );
      if (!found.result.objectId || found.result.subtype === 'null')
        throw new InjectionError(`no element matches ${selector} on the page`);
      const done = await cdp.send<CallResult>(
        'Runtime.callFunctionOn',
        {
          objectId: found.result.objectId,
          functionDeclaration: FILL,
          arguments: [{ value }, { value: origins }],
          returnByValue: true,
        },
        sessionId,
      );
      const r = done.result.value;
      if (!r) throw new InjectionError(`filling ${selector} failed`);
      if (r.reason === 'not_a_field')
        throw new InjectionError(`${selector} is not an input or textarea`);
      if (!r.ok) throw refused(r.origin, origins, `filling ${selector}`);
    }
  });
}

/** Sets web storage items on the page (its origin must be allowed). */
export async function seedStorage(
  cdpUrl: string,
  targetId: string,
  items: () => Promise<{
    local_storage?: Record<string, string>;
    session_storage?: Record<string, string>;
  }>,
  origins: string[],
): Promise<string> {
  return withPage(cdpUrl, targetId, origins, 'seeding storage', async (cdp, sessionId) => {
    const { local_storage: local, session_storage: session } = await items();
    const doc = await cdp.send<{ result: { objectId?: string } }>(
      'Runtime.evaluate',
      { expression: 'document' },
      sessionId,
    );
    const done = await cdp.send<CallResult>(
      'Runtime.callFunctionOn',
      {
        objectId: doc.result.objectId,
        functionDeclaration: STORAGE,
        arguments: [{ value: local ?? {} }, { value: session ?? {} }, { value: origins }],
        returnByValue: true,
      },
      sessionId,
    );
    const r = done.result.value;
    if (!r) throw new InjectionError('seeding storage failed');
    if (!r.ok) throw refused(r.origin, origins, 'seeding storage');
    return r.origin;
  });
}

export interface SeedCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  secure?: boolean;
  http_only?: boolean;
  same_site?: 'Strict' | 'Lax' | 'None';
  expires?: number;
}

/** Sets cookies for `origin` (one of the binding's) in the session's browser. */
export async function seedCookies(
  cdpUrl: string,
  origin: string,
  cookies: SeedCookie[],
): Promise<void> {
  const cdp = await CdpConnection.open(cdpUrl);
  try {
    await cdp.send('Storage.setCookies', {
      cookies: cookies.map((c) => ({
        name: c.name,
        value: c.value,
        url: origin,
        ...(c.domain ? { domain: c.domain } : {}),
        path: c.path ?? '/',
        secure: c.secure ?? origin.startsWith('https:'),
        httpOnly: c.http_only ?? false,
        ...(c.same_site ? { sameSite: c.same_site } : {}),
        ...(c.expires ? { expires: c.expires } : {}),
      })),
    });
  } finally {
    cdp.close();
  }
}
