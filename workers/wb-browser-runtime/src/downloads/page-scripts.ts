// In-page scripts. Kept as plain source text: functions compiled by tsx/esbuild carry `__name`
// helpers that do not exist in the page.

/** The binding every in-page hook reports through: `__wbEmit(kind, payload)`. */
export const EMIT_BINDING = '__wbEmit';

/**
 * Signed-URL discovery (installed on every document): wraps `fetch` and XHR and, for same-origin
 * responses that look like JSON (content type json/text/empty, ≤ 64 KiB), reports every http(s)
 * string found (depth ≤ 6, ≤ 30 per response, ≤ 50 responses per document).
 */
export const SIGNED_URL_HOOK = `(() => {
  if (window.__wbSignedHook) return;
  window.__wbSignedHook = true;
  const MAX_BYTES = 65536, MAX_DEPTH = 6, MAX_PER_RESPONSE = 30, MAX_RESPONSES = 50;
  let responses = 0;
  const sameOrigin = (u) => { try { return new URL(u, location.href).origin === location.origin; } catch (e) { return false; } };
  const textual = (ct) => !ct || /json|text/i.test(ct);
  const collect = (value, field, depth, out) => {
    if (out.length >= MAX_PER_RESPONSE || depth > MAX_DEPTH) return;
    if (typeof value === 'string') {
      if (/^https?:\\/\\//i.test(value)) out.push({ field, url: value });
    } else if (Array.isArray(value)) {
      for (const item of value) collect(item, field, depth + 1, out);
    } else if (value && typeof value === 'object') {
      for (const key of Object.keys(value)) collect(value[key], key, depth + 1, out);
    }
  };
  const inspect = (apiUrl, text) => {
    try {
      if (responses >= MAX_RESPONSES || typeof text !== 'string' || text.length > MAX_BYTES) return;
      const trimmed = text.trim();
      if (trimmed[0] !== '{' && trimmed[0] !== '[') return;
      const out = [];
      collect(JSON.parse(trimmed), null, 0, out);
      if (out.length === 0) return;
      responses++;
      const emit = window.${EMIT_BINDING};
      if (typeof emit === 'function') emit('signed', { api_url: apiUrl, page_url: location.href, candidates: out }).catch(() => {});
    } catch (e) {}
  };
  const originalFetch = window.fetch;
  if (typeof originalFetch === 'function') {
    window.fetch = function (...args) {
      const pending = originalFetch.apply(this, args);
      pending.then((res) => {
        try {
          if (responses >= MAX_RESPONSES || !sameOrigin(res.url) || !textual(res.headers.get('content-type'))) return;
          if (Number(res.headers.get('content-length') || 0) > MAX_BYTES) return;
          res.clone().text().then((t) => inspect(res.url, t), () => {});
        } catch (e) {}
      }, () => {});
      return pending;
    };
  }
  const XHR = window.XMLHttpRequest && window.XMLHttpRequest.prototype;
  if (XHR) {
    const originalSend = XHR.send;
    XHR.send = function (...args) {
      try {
        this.addEventListener('load', () => {
          try {
            const url = this.responseURL;
            if (!sameOrigin(url) || !textual(this.getResponseHeader('content-type'))) return;
            if (this.responseType === '' || this.responseType === 'text') inspect(url, this.responseText);
            else if (this.responseType === 'json' && this.response) inspect(url, JSON.stringify(this.response));
          } catch (e) {}
        });
      } catch (e) {}
      return originalSend.apply(this, args);
    };
  }
})();`;

/**
 * Blob/data-URL capture for the `download` verb: wraps `URL.createObjectURL` (to keep the Blob even
 * if the page revokes the URL right after clicking) and `HTMLAnchorElement.prototype.click`; while
 * armed, a programmatic click on `<a download href="blob:|data:">` reports the bytes (base64).
 */
const BLOB_HOOK = `(() => {
  const w = window;
  if (!w.__wbBlobHook) {
    w.__wbBlobHook = true;
    const blobs = new Map();
    const originalCreate = URL.createObjectURL;
    URL.createObjectURL = function (obj) {
      const url = originalCreate.call(URL, obj);
      try {
        if (obj instanceof Blob) {
          blobs.set(url, obj);
          if (blobs.size > 32) blobs.delete(blobs.keys().next().value);
        }
      } catch (e) {}
      return url;
    };
    const read = (blob) => new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
    const capture = async (href, name, token) => {
      try {
        const blob = blobs.get(href) || await (await fetch(href)).blob();
        const data = await read(blob);
        w.${EMIT_BINDING}('blob', { token, name, mime_type: blob.type || null, data, page_url: location.href }).catch(() => {});
      } catch (e) {
        w.${EMIT_BINDING}('blob', { token, name, error: String(e && e.message || e) }).catch(() => {});
      }
    };
    const originalClick = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (...args) {
      try {
        const href = this.href || '';
        if (w.__wbBlobArmed && this.hasAttribute('download') && /^(blob|data):/i.test(href)) {
          capture(href, this.getAttribute('download') || '', w.__wbBlobArmed);
        }
      } catch (e) {}
      return originalClick.apply(this, args);
    };
  }
  w.__wbBlobArmed = __TOKEN__;
})();`;

/** Arms the blob hook for one `download` verb; captures carry `token` so late ones are ignored. */
export function armBlobHook(token: string): string {
  return BLOB_HOOK.replace('__TOKEN__', JSON.stringify(token));
}

export const BLOB_DISARM = 'window.__wbBlobArmed = null;';
