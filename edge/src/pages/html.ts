/** Escapes text for HTML element content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6476;--bg:#f6f7f9;--card:#fff;--line:#dde1e8;--accent:#2f5fd0;--bad:#b42318;--code:#eef1f6}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#9aa3b5;--bg:#12151b;--card:#1a1e26;--line:#2c323d;--accent:#7ea2ff;--bad:#ff8a80;--code:#232833}}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:960px;margin:0 auto;padding:32px 20px}h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.15rem;margin:28px 0 8px}
.muted{color:var(--muted)}.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 22px;margin:14px 0}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--code);border-radius:5px}code{padding:1px 5px}pre{padding:10px 12px;overflow:auto}
a{color:var(--accent)}label{display:block;font-weight:600;margin:14px 0 4px}
input{width:100%;padding:9px 11px;font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:7px}
button{margin-top:18px;width:100%;padding:10px;font:inherit;font-weight:600;color:#fff;background:var(--accent);border:0;border-radius:7px;cursor:pointer}
.error{color:var(--bad);font-weight:600}.narrow{max-width:380px}
.badge{display:inline-block;min-width:58px;text-align:center;font:600 12px/20px ui-monospace,monospace;border-radius:4px;color:#fff;padding:0 6px;margin-right:8px}
.get{background:#2e7d32}.post{background:#1f5fbf}.delete{background:#b3261e}.put,.patch{background:#8a5a00}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-top:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
details>summary{cursor:pointer}nav a{display:block;padding:2px 0}`;

/** A complete, self-contained page (inline CSS, no scripts, no CDN). */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** Headers for our HTML pages: nothing external may load, forms post only to us. */
export const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
