/**
 * rrweb DOM capture in a page: rrweb's record bundle plus a bootstrap that records the top
 * document into a buffer and hands batches out through a caller-chosen function (a Playwright
 * binding in the wb runtime, a CDP `Runtime.addBinding` in the recording worker). One copy for
 * both; the host's CDP gateway also reads it to know the only scripts a recorder may run.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

let bundle: Promise<string> | undefined;

/** rrweb's record-only IIFE bundle (defines the global `rrwebRecord`). */
export function rrwebRecordBundle(): Promise<string> {
  bundle ??= readFile(
    createRequire(import.meta.url).resolve('rrweb/dist/record/rrweb-record.min.js'),
    'utf8',
  );
  return bundle;
}

export interface RrwebBootstrapOptions {
  /** The page global marking a document as recorded; `<global>Take()` returns what is buffered. */
  readonly global: string;
  /**
   * JS source of `(batch) => boolean`: hands a batch out of the page; false when it cannot yet
   * (the batch stays buffered).
   */
  readonly send: string;
  readonly maskAllInputs: boolean;
  readonly maskTextSelector?: string | null | undefined;
  readonly blockSelector?: string | null | undefined;
  /** How often the buffer is handed out (ms). */
  readonly flushMs?: number;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The bootstrap run after the bundle in each top document (frames are skipped). */
export function rrwebBootstrap(o: RrwebBootstrapOptions): string {
  if (!IDENT.test(o.global)) throw new Error(`not an identifier: ${o.global}`);
  const options = {
    sampling: { scroll: 150, media: 800, input: 'last' },
    maskAllInputs: o.maskAllInputs,
    ...(o.maskTextSelector ? { maskTextSelector: o.maskTextSelector } : {}),
    ...(o.blockSelector ? { blockSelector: o.blockSelector } : {}),
  };
  return `;(() => {
  if (window !== window.top || window.${o.global} || typeof rrwebRecord !== 'function') return;
  window.${o.global} = true;
  const send = ${o.send};
  let buffer = [];
  const flush = () => {
    if (buffer.length === 0) return;
    const batch = buffer;
    if (send(batch) === false) return;
    buffer = [];
  };
  window.${o.global}Take = () => { const batch = buffer; buffer = []; return batch; };
  try {
    rrwebRecord(Object.assign({ emit: (event) => { buffer.push(event); } }, ${JSON.stringify(options)}));
  } catch (e) {}
  setInterval(flush, ${o.flushMs ?? 500});
  addEventListener('beforeunload', flush);
  addEventListener('pagehide', flush);
})();`;
}

/** The whole script: bundle, then bootstrap. */
export async function rrwebCaptureScript(o: RrwebBootstrapOptions): Promise<string> {
  return `${await rrwebRecordBundle()}\n${rrwebBootstrap(o)}`;
}

/**
 * What the recording worker runs in a session's pages over CDP: inputs masked (every value typed
 * into a field, passwords included, is recorded as `*`), batches handed to the CDP binding
 * `RECORDER_RRWEB_BINDING` as JSON text.
 */
export const RECORDER_RRWEB_BINDING = '__bpRrwebEmit';
const RECORDER_GLOBAL = '__bpRrweb';

export function recorderRrwebScript(): Promise<string> {
  return rrwebCaptureScript({
    global: RECORDER_GLOBAL,
    send: `(batch) => { const f = window.${RECORDER_RRWEB_BINDING}; if (typeof f !== 'function') return false; f(JSON.stringify(batch)); return true; }`,
    maskAllInputs: true,
  });
}

/** Hands out what a page still buffers (run when the recording stops). */
export const RECORDER_RRWEB_FLUSH = `(() => { const take = window.${RECORDER_GLOBAL}Take; const f = window.${RECORDER_RRWEB_BINDING}; if (typeof take !== 'function' || typeof f !== 'function') return 0; const batch = take(); if (batch.length) f(JSON.stringify(batch)); return batch.length; })()`;
