// A small local web site with a page for every verb, plus the endpoints the runtime talks to
// (recording uploads, the Paracord relay for wait_for_drop).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upload {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Site {
  /** http://127.0.0.1:<port> — page origin. */
  url: string;
  /** http://localhost:<port> — the "signed URL" host (same server, different host name). */
  signedHost: string;
  port: number;
  uploads: Upload[];
  /** Paracord relay calls seen (Authorization header and query). */
  relayCalls: { auth: string | undefined; q: string | null }[];
  /** Files the fake Drive folder lists from the given poll on (1-based). */
  drop: { appearsAtPoll: number; names: string[] };
  uploadStatus: number;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

const PAGES: Record<string, string> = {
  '/form': page(
    'form',
    `<form id="f" onsubmit="event.preventDefault(); document.querySelector('#result').textContent = 'Hello ' + document.querySelector('#name').value;">
      <input id="name" name="name"><input id="password" type="password">
      <textarea id="notes"></textarea>
      <button id="submit" type="submit">Send it</button>
    </form>
    <p id="result"></p>
    <button id="hidden-btn" style="display:none">Invisible</button>
    <a href="#" id="fallback-link" onclick="document.querySelector('#result').textContent='fallback clicked'">Use the fallback</a>
    <script>document.addEventListener('keydown', (e) => { document.querySelector('#result').dataset.key = e.key; if (e.key === 'Enter') document.querySelector('#result').textContent = 'enter pressed'; });</script>`,
  ),
  '/slow': page(
    'slow',
    `<div id="gone">soon gone</div>
    <script>setTimeout(() => { const d = document.createElement('div'); d.id = 'late'; d.textContent = 'arrived'; document.body.appendChild(d); }, 700);
    setTimeout(() => document.querySelector('#gone').remove(), 400);</script>`,
  ),
  '/list': page(
    'list',
    `<table><tr class="row" data-id="1"><td class="name">Alpha</td><td class="price"> 10 </td><td><a class="link" href="/a">a</a></td></tr>
    <tr class="row" data-id="2"><td class="name">Beta</td><td class="price">20</td><td><a class="link" href="/b">b</a></td></tr>
    <tr class="row" data-id="3"><td class="name">Gamma</td><td class="price">30</td><td></td></tr></table>`,
  ),
  '/console': page(
    'console',
    `<p>console</p><script>console.log('hello log'); console.error('something broke'); setTimeout(() => { throw new Error('uncaught boom'); }, 0);</script>`,
  ),
  '/idle': page(
    'idle',
    `<p id="state">loading</p><script>let n = 0; const tick = () => fetch('/api/slow?ms=150').then(() => { if (++n < 4) tick(); else document.querySelector('#state').textContent = 'done'; }); tick();</script>`,
  ),
  '/busy': page(
    'busy',
    `<p>always busy</p><script>setInterval(() => fetch('/api/slow?ms=50'), 100);</script>`,
  ),
  '/downloads': page(
    'downloads',
    `<a id="file" href="/files/report.csv">report</a>
    <a id="exe" href="/files/tool.exe">tool</a>
    <a id="popup" href="/files/popup.csv" target="_blank">popup</a>
    <button id="blob" onclick="const a = document.createElement('a'); a.href = window.URL.createObjectURL(new Blob(['id,total\\n1,42\\n'], {type: 'text/csv'})); a.download = 'blob-export.csv'; document.body.appendChild(a); a.click(); window.URL.revokeObjectURL(a.href); a.remove();">blob</button>
    <button id="data" onclick="const a = document.createElement('a'); a.href = 'data:text/plain;base64,' + btoa('data url body'); a.download = 'note.txt'; document.body.appendChild(a); a.click(); a.remove();">data</button>
    <button id="signed" onclick="fetch('/api/export').then((r) => r.json()).then(() => { document.querySelector('#status').textContent = 'link ready'; });">signed</button>
    <button id="expired" onclick="fetch('/api/export-expired').then((r) => r.json())">expired</button>
    <button id="s3" onclick="fetch('/api/s3-export').then((r) => r.json()).then(() => setTimeout(() => { document.querySelector('#status').textContent = 's3 ready'; }, 100))">s3</button>
    <button id="nothing">nothing</button>
    <p id="status"></p>`,
  ),
};

export async function startSite(): Promise<Site> {
  const site: Site = {
    url: '',
    signedHost: '',
    port: 0,
    uploads: [],
    relayCalls: [],
    drop: { appearsAtPoll: 2, names: ['invoice-7.pdf'] },
    uploadStatus: 200,
    close: async () => {},
  };
  let polls = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const html = PAGES[url.pathname];
    if (html) return send(res, 200, 'text/html; charset=utf-8', html);
    if (url.pathname === '/echo') {
      return send(
        res,
        200,
        'text/html',
        page('echo', `<p id="q">${escapeHtml(url.searchParams.get('q') ?? '')}</p>`),
      );
    }
    if (url.pathname === '/api/slow') {
      setTimeout(
        () => send(res, 200, 'application/json', '{"ok":true}'),
        Number(url.searchParams.get('ms') ?? 100),
      );
      return;
    }
    if (url.pathname.startsWith('/files/')) {
      const name = url.pathname.slice('/files/'.length);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${name}"`,
      });
      res.end(`file ${name}\n`);
      return;
    }
    if (url.pathname === '/api/export') {
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({
          export: {
            id: 7,
            download_url: `${site.signedHost}/signed/export.csv?X-Amz-Signature=topsecret123&X-Amz-Expires=60`,
          },
        }),
      );
    }
    if (url.pathname === '/api/export-expired') {
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({ download_url: `${site.signedHost}/signed/expired.csv?sig=old` }),
      );
    }
    if (url.pathname === '/api/s3-export') {
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({
          file: {
            url: 'https://wb-test-bucket.s3.us-east-1.amazonaws.com/exports/e.csv?X-Amz-Signature=deadbeef',
          },
        }),
      );
    }
    if (url.pathname.startsWith('/signed/')) {
      if (url.pathname.endsWith('expired.csv'))
        return send(res, 403, 'text/plain', 'Request has expired');
      return send(res, 200, 'text/csv', 'id,total\n7,99\n');
    }
    if (url.pathname === '/relay/google_drive/drive/v3/files') {
      polls++;
      site.relayCalls.push({ auth: req.headers.authorization, q: url.searchParams.get('q') });
      const files =
        polls >= site.drop.appearsAtPoll
          ? site.drop.names.map((name, i) => ({ id: `f${i}`, name, mimeType: 'application/pdf' }))
          : [];
      return send(res, 200, 'application/json', JSON.stringify({ files }));
    }
    if (url.pathname.startsWith('/upload/')) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        site.uploads.push({
          path: url.pathname + url.search,
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        send(
          res,
          site.uploadStatus,
          'text/plain',
          site.uploadStatus === 200 ? 'ok' : 'upload rejected',
        );
      });
      return;
    }
    send(res, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  site.port = port;
  site.url = `http://127.0.0.1:${port}`;
  site.signedHost = `http://localhost:${port}`;
  site.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
