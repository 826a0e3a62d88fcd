/**
 * The entrypoint process of a `playwright` run (a child of the worker, under its limits). It loads
 * Playwright while it waits (a warm process), then on `start`: attaches to the run's session
 * through the CDP gateway, imports the version's module and calls its default export with
 * `{ page, context, browser, input, log, output, files, requestInput }`. It speaks to the worker
 * over IPC only; it holds no edge credential.
 *
 * The session's browser runs in its sandbox on a host: a download's file is never where Playwright
 * says. Each `Download` is served from the session's recorded files instead (the worker fetches
 * it once): `saveAs`, `path` and `createReadStream` work as usual.
 *
 *   worker → child: start · answer · download
 *   child → worker: ready · log · request_input · fetch_download · done
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { access, copyFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Download, type Page } from 'playwright-core';

export interface StartMessage {
  type: 'start';
  cdpUrl: string;
  sourceDir: string;
  entrypoint: string;
  input: unknown;
  /** Answers given before (a run restarted from the profile replays them, in order). */
  answers: { action: string; input: unknown }[];
  filesDir: string;
}

export interface InputRequest {
  prompt?: string;
  schema?: unknown;
  kind?: string;
  details?: unknown;
  hold?: 'live_runtime' | 'profile_restart';
  timeout_sec?: number;
}

type ToWorker =
  | { type: 'ready' }
  | { type: 'log'; stream: 'stdout' | 'stderr' | 'system'; message: string }
  | { type: 'request_input'; request: InputRequest }
  | { type: 'fetch_download'; id: number; name: string; since: number }
  | {
      type: 'done';
      ok: boolean;
      output?: unknown;
      error?: string;
      entrypoint_ms: number;
      attach_failed?: boolean;
    };

const send = (m: ToWorker) => process.send?.(m);

function text(args: unknown[]): string {
  return args
    .map((a) =>
      typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : JSON.stringify(a),
    )
    .join(' ');
}

/** A produced file's name: the base name, cleaned. */
export function cleanName(name: string): string {
  const base = basename(String(name))
    .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
    .slice(0, 200);
  return base && !/^[.\s]+$/.test(base) ? base : 'file';
}

let answer: ((value: { input: unknown }) => void) | null = null;

/** Downloads asked of the worker, by request id. */
const fetching = new Map<number, { resolve: (path: string) => void; reject: (e: Error) => void }>();
let nextFetch = 0;

function fetchFromWorker(name: string, since: number): Promise<string> {
  const id = ++nextFetch;
  return new Promise((resolve, reject) => {
    fetching.set(id, { resolve, reject });
    send({ type: 'fetch_download', id, name, since });
  });
}

/**
 * Serves a download from the session's files: Playwright's own file when it is readable here (a
 * browser on this machine), else the copy the worker fetched; fetched once, whoever asks first.
 */
function serveFromSession(d: Download): void {
  const since = Date.now();
  const ownPath = d.path.bind(d);
  let local: Promise<string> | undefined;
  const file = () => {
    local ??= (async () => {
      try {
        const own = await ownPath();
        await access(own);
        return own;
      } catch {
        return fetchFromWorker(d.suggestedFilename(), since);
      }
    })();
    return local;
  };
  Object.assign(d, {
    path: file,
    saveAs: async (target: string) => {
      mkdirSync(dirname(resolve(target)), { recursive: true });
      await copyFile(await file(), target);
    },
    createReadStream: async () => createReadStream(await file()),
  });
}

async function run(start: StartMessage): Promise<void> {
  const t0 = performance.now();
  let paused = 0;
  let entry = 0;
  const downloads: Promise<unknown>[] = [];
  try {
    mkdirSync(start.filesDir, { recursive: true });
    const c0 = performance.now();
    let browser: Browser;
    try {
      browser = await chromium.connectOverCDP(start.cdpUrl, { timeout: 30_000 });
    } catch (error) {
      // Nothing ran yet: the worker may get a fresh ticket and try again.
      const message = ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
      send({
        type: 'done',
        ok: false,
        error: `could not attach to the session: ${message.replace(/ticket=[^\s&]+/g, 'ticket=***')}`,
        entrypoint_ms: 0,
        attach_failed: true,
      });
      return;
    }
    send({
      type: 'log',
      stream: 'system',
      message: `attached to the session in ${Math.round(performance.now() - c0)} ms`,
    });
    const context = browser.contexts()[0] ?? (await browser.newContext());
    // Registered before the entrypoint runs: its own listeners get the served download.
    const watch = (p: Page) =>
      p.on('download', (d) => {
        serveFromSession(d);
        downloads.push(
          d.saveAs(join(start.filesDir, cleanName(d.suggestedFilename()))).catch((e: Error) =>
            send({
              type: 'log',
              stream: 'system',
              message: `download ${d.suggestedFilename()} not saved: ${e.message}`,
            }),
          ),
        );
      });
    context.pages().forEach(watch);
    context.on('page', watch);
    const page =
      context
        .pages()
        .find(
          (p) => !p.url().startsWith('devtools:') && !p.url().startsWith('chrome-extension:'),
        ) ?? (await context.newPage());
    const modulePath = resolve(start.sourceDir, start.entrypoint);
    // The compiled child has no TypeScript loader: a TypeScript entrypoint brings tsx in.
    if (/\.[cm]?tsx?$/.test(modulePath) && !process.execArgv.includes('--import'))
      (await import('tsx/esm/api')).register();
    const mod = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
    if (typeof mod.default !== 'function')
      throw new Error(`${start.entrypoint} has no default export function`);
    const outputs: Record<string, unknown> = {};
    let replay = 0;
    const log = Object.assign(
      (...a: unknown[]) => send({ type: 'log', stream: 'stdout', message: text(a) }),
      {
        info: (...a: unknown[]) => send({ type: 'log', stream: 'stdout', message: text(a) }),
        warn: (...a: unknown[]) => send({ type: 'log', stream: 'stderr', message: text(a) }),
        error: (...a: unknown[]) => send({ type: 'log', stream: 'stderr', message: text(a) }),
      },
    );
    const ctx = {
      page,
      context,
      browser,
      input: start.input,
      log,
      output: (key: string | Record<string, unknown>, value?: unknown) => {
        if (typeof key === 'string') outputs[key] = value;
        else Object.assign(outputs, key);
      },
      files: {
        dir: start.filesDir,
        path: (name: string) => join(start.filesDir, cleanName(name)),
        write: (name: string, data: string | Uint8Array) => {
          const target = join(start.filesDir, cleanName(name));
          writeFileSync(target, data);
          return target;
        },
      },
      requestInput: async (request: InputRequest = {}) => {
        const prior = start.answers[replay++];
        if (prior) {
          send({
            type: 'log',
            stream: 'system',
            message: `requestInput #${replay}: answered before (${prior.action})`,
          });
          return prior.input ?? null;
        }
        const since = performance.now();
        const got = new Promise<{ input: unknown }>((r) => {
          answer = r;
        });
        send({ type: 'request_input', request });
        const value = await got;
        paused += performance.now() - since;
        return value.input ?? null;
      },
    };
    const e0 = performance.now();
    const result = await (mod.default as (c: typeof ctx) => Promise<unknown>)(ctx);
    entry = performance.now() - e0 - paused;
    await Promise.allSettled(downloads);
    const output =
      result === undefined
        ? Object.keys(outputs).length > 0
          ? outputs
          : null
        : result !== null && typeof result === 'object' && !Array.isArray(result)
          ? { ...outputs, ...(result as Record<string, unknown>) }
          : Object.keys(outputs).length > 0
            ? { ...outputs, result }
            : result;
    // The result first: the worker then ends this process, which drops the CDP connection (the
    // gateway refuses Browser.close; the browser is the session's, not ours).
    send({ type: 'done', ok: true, output, entrypoint_ms: Math.round(entry) });
  } catch (error) {
    await Promise.allSettled(downloads);
    const e = error as Error;
    send({
      type: 'done',
      ok: false,
      error: (e?.stack ?? String(error)).split('\n').slice(0, 6).join('\n').slice(0, 4000),
      entrypoint_ms: Math.round(entry || performance.now() - t0 - paused),
    });
  }
}

type FromWorker =
  | StartMessage
  | { type: 'answer'; input?: unknown }
  | { type: 'download'; id: number; path?: string; error?: string };

process.on('message', (m: FromWorker) => {
  // The worker ends this process once it has the result (or kills it).
  if (m.type === 'start') void run(m);
  else if (m.type === 'download') {
    const waiting = fetching.get(m.id);
    fetching.delete(m.id);
    if (m.path) waiting?.resolve(m.path);
    else waiting?.reject(new Error(m.error ?? 'the download is not among the session files'));
  } else if (m.type === 'answer' && answer) {
    const a = answer;
    answer = null;
    a({ input: m.input });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
