import { CAP, type Role } from '@browserpane/protocol';
import type { Browser, Page } from 'playwright-core';
import { NodeClient } from '../../../host-pool/test/support/node-client.ts';
import type { startStackFixture } from './stack-fixture.ts';

type Fixture = Awaited<ReturnType<typeof startStackFixture>>;

/** Everything a protocol participant can ask for (the relay grants what the ticket allows). */
export const ALL_WORKSPACE_CAPS =
  CAP.input |
  CAP.clipboard |
  CAP.fileUpload |
  CAP.fileDownload |
  CAP.resize |
  CAP.tileCache |
  CAP.copyRect |
  CAP.cursor;

/** The console's OIDC access token (the page keeps it in session storage). */
export function consoleToken(page: Page): Promise<string> {
  return page.evaluate(
    () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
  );
}

/**
 * A protocol participant in Node (a second owner, or a viewer that sends what it must not): a
 * fresh ticket of `role` from the edge, then the relay handshake asking for `capabilities`;
 * resolves once the relay answered the hello.
 */
export async function joinAs(
  fx: Fixture,
  owner: Page,
  sessionId: string,
  role: Role,
  capabilities = ALL_WORKSPACE_CAPS,
): Promise<NodeClient> {
  const token = await consoleToken(owner);
  const res = await fetch(`${fx.stack.url}/api/v1/sessions/${sessionId}/access-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  if (!res.ok) throw new Error(`ticket: ${res.status}`);
  const { token: ticket } = (await res.json()) as { token: string };
  const host = fx.stack.host;
  if (!host) throw new Error('no in-process host');
  const client = await NodeClient.connect({
    url: `https://127.0.0.1:${host.relayPort}/sessions/${sessionId}/connect?ticket=${encodeURIComponent(ticket)}`,
    certSha256Hex: host.certificate.sha256Hex,
    role,
    capabilities,
  });
  await client.waitFor('serverHello');
  return client;
}

/** Messages a participant refused from one connection (by type), as the hub counts them. */
export function refusedCount(fx: Fixture, sessionId: string, connectionId: string): number {
  const c = fx
    .live(sessionId)
    .hub.connections()
    .find((x) => x.connectionId === connectionId);
  return c?.stats.refused ?? 0;
}

/** The connection id the relay gave a Node participant (from its serverHello). */
export async function connectionIdOf(client: NodeClient): Promise<string> {
  return (await client.waitFor('serverHello')).connectionId;
}

/** The remote browser's visible page (not DevTools, not chrome://). */
export async function remotePage(remote: Browser): Promise<Page> {
  const pages = remote.contexts().flatMap((c) => c.pages());
  const page =
    pages.find((p) => !p.url().startsWith('chrome://') && !p.url().startsWith('devtools')) ??
    pages[0];
  if (!page) throw new Error('remote browser has no page');
  return page;
}

/** Navigates the remote browser's page over CDP and waits for it to load. */
export async function openRemote(remote: Browser, url: string): Promise<Page> {
  const page = await remotePage(remote);
  await page.goto(url);
  await page.bringToFront();
  return page;
}

/**
 * The remote page of the workspace tests: text to copy, places to paste, rich text, file inputs
 * (single and multiple) that report what they hold, and a helper that makes the page download.
 */
export const WORKSPACE_PAGE = `<!doctype html><html><head><title>Workspace</title><style>
  body { margin: 0; padding: 16px; font: 16px/1.4 'DejaVu Sans', sans-serif; background: #fff; color: #222; }
  textarea, .rich { display: block; width: 600px; height: 70px; margin: 8px 0; font: 15px 'DejaVu Sans Mono', monospace; caret-color: transparent; border: 1px solid #999; }
  input[type=file] { display: block; margin: 12px 0; width: 400px; height: 40px; }
</style></head><body>
<textarea id="src" spellcheck="false">Copied from the remote page ✓ 123</textarea>
<textarea id="dst" spellcheck="false"></textarea>
<div id="rich" class="rich" contenteditable="true"><b>bold remote</b> and <i>italic</i></div>
<div id="richdst" class="rich" contenteditable="true"></div>
<input type="file" id="file">
<input type="file" id="files" multiple>
<script>
  window.pasted = [];
  document.addEventListener('paste', (e) => window.pasted.push({ text: e.clipboardData.getData('text/plain'), html: e.clipboardData.getData('text/html') }));
  window.readFiles = async (id) => Promise.all([...document.getElementById(id).files].map(async (f) => ({ name: f.name, size: f.size, type: f.type, text: await f.text() })));
  window.download = (name, text, type) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: type || 'application/octet-stream' }));
    a.download = name;
    document.body.append(a);
    a.click();
  };
</script>
</body></html>`;

/** Where an element of the remote page is on the display (window offsets included). */
export async function elementOnDisplay(
  page: Page,
  selector: string,
): Promise<{ x: number; y: number }> {
  return page.evaluate((sel) => {
    const r = (document.querySelector(sel) as HTMLElement).getBoundingClientRect();
    return {
      x: window.screenX + r.left + r.width / 2,
      y: window.screenY + (window.outerHeight - window.innerHeight) + r.top + r.height / 2,
    };
  }, selector);
}
