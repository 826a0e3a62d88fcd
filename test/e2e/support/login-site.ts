/**
 * A small site with a login that asks for a one-time code (what a workflow hands to a person):
 * `/login` (user + password) → `/otp` (a six-digit code only the test knows) → `/account` with a
 * report to download. Plus `/slow` (a page the test can keep a run busy on), `/files` (a
 * download anyone may take: `/terms.txt`) and `/upload` (a file input that shows what it got).
 */
import { createHash, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';

export const REPORT_CSV = `month,amount\n${Array.from({ length: 200 }, (_, i) => `2026-${String((i % 12) + 1).padStart(2, '0')},${(i * 7919) % 10007}`).join('\n')}\n`;
export const REPORT_SHA256 = createHash('sha256').update(REPORT_CSV).digest('hex');
export const TERMS_TXT = `Terms\n${'You may download this file. '.repeat(40)}\n`;

function form(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
  });
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><title>${title}</title><style>body{font:18px 'DejaVu Sans',sans-serif;margin:32px} input,button{font-size:18px;margin:6px 0;display:block}</style></head><body>${body}</body></html>`;

export async function startLoginSite(user = { name: 'ada', password: 'lovelace' }) {
  let code = '';
  const sessions = new Map<string, 'password' | 'done'>();
  const server = createServer(async (req, res): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const sid = /sid=([a-z0-9]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
    const html = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res
        .writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          ...headers,
        })
        .end(body);
    };
    if (req.method === 'GET' && url.pathname === '/login')
      return html(
        200,
        page(
          'Sign in',
          `<form method="post" action="/login"><input id="user" name="user" placeholder="user"><input id="password" name="password" type="password" placeholder="password"><button id="go">Sign in</button></form>`,
        ),
      );
    if (req.method === 'POST' && url.pathname === '/login') {
      const f = await form(req);
      if (f.get('user') !== user.name || f.get('password') !== user.password)
        return html(401, page('Sign in', '<p id="error">Wrong user or password</p>'));
      const id = createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 16);
      sessions.set(id, 'password');
      code = String(randomInt(100_000, 999_999));
      return html(303, '', { location: '/otp', 'set-cookie': `sid=${id}; Path=/; HttpOnly` });
    }
    if (req.method === 'GET' && url.pathname === '/otp' && sessions.get(sid) === 'password')
      return html(
        200,
        page(
          'One-time code',
          `<p>We sent a code to your phone.</p><form method="post" action="/otp"><input id="code" name="code" inputmode="numeric"><button id="verify">Verify</button></form>`,
        ),
      );
    if (req.method === 'POST' && url.pathname === '/otp' && sessions.get(sid) === 'password') {
      const f = await form(req);
      if (f.get('code') !== code)
        return html(401, page('One-time code', '<p id="error">Wrong code</p>'));
      sessions.set(sid, 'done');
      return html(303, '', { location: '/account' });
    }
    if (req.method === 'GET' && url.pathname === '/account' && sessions.get(sid) === 'done')
      return html(
        200,
        page(
          'Account',
          `<h1 id="welcome">Welcome, ${user.name}</h1><a id="report" href="/report.csv">Download the report</a>`,
        ),
      );
    if (req.method === 'GET' && url.pathname === '/report.csv' && sessions.get(sid) === 'done')
      return void res
        .writeHead(200, {
          'content-type': 'text/csv',
          'content-disposition': 'attachment; filename="report.csv"',
        })
        .end(REPORT_CSV);
    if (req.method === 'GET' && url.pathname === '/files')
      return html(200, page('Files', '<a id="terms" href="/terms.txt">The terms</a>'));
    if (req.method === 'GET' && url.pathname === '/terms.txt')
      return void res
        .writeHead(200, {
          'content-type': 'text/plain',
          'content-disposition': 'attachment; filename="terms.txt"',
        })
        .end(TERMS_TXT);
    if (req.method === 'GET' && url.pathname === '/upload')
      return html(
        200,
        page(
          'Upload',
          `<input type="file" id="file"><p id="picked"></p><script>document.getElementById('file').addEventListener('change', (e) => { const f = e.target.files[0]; document.getElementById('picked').textContent = f ? f.name : ''; });</script>`,
        ),
      );
    if (req.method === 'GET' && url.pathname === '/slow')
      return html(200, page('Slow', '<p id="slow">A page a run waits on</p>'));
    html(404, page('Not found', 'not found'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    /** The code the site expects now (what the person reads off their phone). */
    code: () => code,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
