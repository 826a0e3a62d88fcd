import { createServer } from 'node:http';

/** Pages the remote browser visits in the end-to-end tests. */
export const PAGES: Record<string, string> = {
  '/': `<!doctype html><html><head><title>BrowserPane test page</title>
<style>
  body { margin: 0; font: 16px/1.5 'DejaVu Sans', sans-serif; background: #fff; color: #222; }
  header { padding: 12px 16px; background: #f3f5f9; border-bottom: 1px solid #dde; }
  textarea { display: block; width: 90%; height: 220px; margin: 16px; font: 18px/1.4 'DejaVu Sans Mono', monospace; caret-color: transparent; }
  article { padding: 0 16px; }
</style></head>
<body><header><a id="next" href="/next">Go to the next page</a></header>
<textarea id="box" spellcheck="false" autofocus></textarea>
<article>${'<p>BrowserPane streams lossless tiles for text like this paragraph; the quick brown fox jumps over the lazy dog.</p>'.repeat(12)}</article>
</body></html>`,
  '/next': `<!doctype html><html><head><title>Next page</title></head>
<body style="font: 20px 'DejaVu Sans', sans-serif; margin: 24px"><h1 id="arrived">You followed the link</h1></body></html>`,
};

export async function startTestSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const page = PAGES[new URL(req.url ?? '/', 'http://x').pathname];
    if (page === undefined) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
