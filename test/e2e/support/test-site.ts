import { createReadStream } from 'node:fs';
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
  '/article': article(),
  // Recordings: the whole page red, then green, then blue, 2 s each, a large label naming it;
  // window.switchedAt keeps when each change was painted (ms, performance.now()), as timers slip
  // on a loaded machine.
  '/schedule': `<!doctype html><html><head><title>Schedule</title><style>
  html, body { margin: 0; height: 100%; } body { background: rgb(255,0,0); }
  #label { font: bold 64px 'DejaVu Sans', sans-serif; color: #fff; padding: 24px; }
</style></head><body><div id="label">RED</div><script>
  window.switchedAt = [];
  const steps = [['rgb(0,255,0)', 'GREEN'], ['rgb(0,0,255)', 'BLUE']];
  steps.forEach(([colour, name], i) => setTimeout(() => {
    document.body.style.background = colour;
    document.getElementById('label').textContent = name;
    requestAnimationFrame(() => {
      window.switchedAt.push(performance.now());
      document.title = name;
    });
  }, 2000 * (i + 1)));
</script></body></html>`,
  // Recordings with audio: a 440 Hz tone once #play is clicked.
  '/tone': `<!doctype html><title>tone</title><body style="margin:40px">
<button id="play" style="font-size:28px">play</button>
<script>
document.getElementById('play').onclick = async () => {
  const ctx = new AudioContext();
  const osc = ctx.createOscillator(), gain = ctx.createGain();
  osc.frequency.value = 440; gain.gain.value = 0.25;
  osc.connect(gain).connect(ctx.destination); osc.start();
  await ctx.resume(); document.title = 'playing';
};
</script></body>`,
  '/yellow': `<!doctype html><html><head><title>Yellow</title></head>
<body style="margin:0;height:100vh;background:rgb(255,255,0)"></body></html>`,
  // A sign-in form (recordings: DOM replay must mask what is typed into it).
  '/login': `<!doctype html><html><head><title>Sign in</title></head>
<body style="font: 20px 'DejaVu Sans', sans-serif; margin: 24px"><h1>Sign in to Example Bank</h1>
<form><input id="user" name="user" autocomplete="off"><input id="password" name="password" type="password"></form></body></html>`,
  '/next': `<!doctype html><html><head><title>Next page</title></head>
<body style="font: 20px 'DejaVu Sans', sans-serif; margin: 24px"><h1 id="arrived">You followed the link</h1></body></html>`,
};

/** A long, realistic article page (headings, text, tables, a sidebar, a gradient hero) to scroll. */
function article(): string {
  const section = (i: number) => `<section><h2>Section ${i}: remote rendering notes</h2>
<p>Tiles keep text lossless while scrolling turns into copies of pixels the client already has. ${'Every paragraph here is ordinary prose of the kind people read in a browser all day, with <a href="#">links</a>, <em>emphasis</em> and <code>code</code>. '.repeat(3)}</p>
<table><tr><th>workload</th><th>bytes</th><th>latency</th></tr>${[1, 2, 3].map((r) => `<tr><td>case ${i}.${r}</td><td>${(i * 37 + r * 11) % 997} KB</td><td>${(i + r) % 17} ms</td></tr>`).join('')}</table></section>`;
  return `<!doctype html><html><head><title>Article</title><style>
  body { margin: 0; font: 16px/1.6 'DejaVu Serif', serif; color: #1d1f23; background: #fafafa; }
  .hero { height: 160px; background: linear-gradient(120deg, #3a66ff, #a23cff); color: #fff; padding: 32px; font: 32px 'DejaVu Sans', sans-serif; }
  .wrap { display: flex; gap: 24px; padding: 24px; }
  main { flex: 1; max-width: 820px; } aside { width: 260px; }
  .card { background: #fff; border: 1px solid #e2e4ea; border-radius: 8px; padding: 12px; margin-bottom: 12px; font: 14px 'DejaVu Sans', sans-serif; }
  table { border-collapse: collapse; margin: 8px 0 16px; font: 14px 'DejaVu Sans Mono', monospace; }
  td, th { border: 1px solid #d9dce3; padding: 4px 10px; }
</style></head><body><div class="hero">A long article</div><div class="wrap"><main>
${Array.from({ length: 40 }, (_, i) => section(i + 1)).join('\n')}
</main><aside>${Array.from({ length: 8 }, (_, i) => `<div class="card"><b>Card ${i + 1}</b><br>Side notes stay put while the main column scrolls.</div>`).join('')}</aside></div></body></html>`;
}

/** A page with a 640 × 360 video between paragraphs of text, and a text box outside the video. */
PAGES['/video'] = `<!doctype html><html><head><title>Video page</title><style>
  body { margin: 0; padding: 16px 24px; font: 16px/1.5 'DejaVu Sans', sans-serif; color: #222; background: #fff; }
  video { display: block; width: 640px; height: 360px; margin: 12px 0; background: #000; }
  textarea { width: 500px; height: 60px; font: 16px 'DejaVu Sans Mono', monospace; caret-color: transparent; }
</style></head><body>
<p>Text above the video stays sharp: it is sent as lossless tiles while the video region moves.</p>
<video id="clip" src="/clip.webm" autoplay muted loop playsinline></video>
<textarea id="notes" spellcheck="false"></textarea>
<p>Text below the video, also on tiles. The quick brown fox jumps over the lazy dog.</p>
</body></html>`;

/** The same clip filling the viewport (the "full-screen video" workload). */
PAGES['/video-full'] = `<!doctype html><html><head><title>Full video</title><style>
  html, body { margin: 0; height: 100%; background: #000; overflow: hidden; }
  video { display: block; width: 100vw; height: 100vh; object-fit: fill; }
</style></head><body><video id="clip" src="/clip.webm" autoplay muted loop playsinline></video></body></html>`;

/**
 * A page with a 480 × 320 block in one colour and a button that turns it another colour and sets
 * the title: what an automation client does shows in the live view.
 */
export function colourSwitchPage(page: {
  title: string;
  from: readonly number[];
  to: readonly number[];
  button: string;
  buttonId?: string;
  clickedTitle: string;
}): string {
  const id = page.buttonId ? ` id="${page.buttonId}"` : '';
  return `<!doctype html><html><head><title>${page.title}</title><style>
  body { margin: 0; background: #fff; font: 20px 'DejaVu Sans', sans-serif; }
  #block { width: 480px; height: 320px; background: rgb(${page.from.join(',')}); }
  button { margin: 16px; font-size: 22px; }
</style></head><body><div id="block"></div>
<button${id} onclick="document.getElementById('block').style.background='rgb(${page.to.join(',')})';document.title='${page.clickedTitle}'">${page.button}</button>
</body></html>`;
}

export async function startTestSite(
  files: Record<string, string> = {},
  /** The address it listens on (the multi-host bed's bridge address; default loopback). */
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = files[path];
    if (file) {
      createReadStream(file)
        .on('error', () => res.writeHead(404).end())
        .once('open', () =>
          res.writeHead(200, {
            'content-type': file.endsWith('.mp4') ? 'video/mp4' : 'video/webm',
            'cache-control': 'no-store',
          }),
        )
        .pipe(res);
      return;
    }
    const page = PAGES[path];
    if (page === undefined) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${host}:${port}`,
    // the session's browser keeps connections open: close them, or close() waits for them
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
