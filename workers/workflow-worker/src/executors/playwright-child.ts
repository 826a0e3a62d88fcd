/**
 * The entrypoint process of a `playwright` run (a child of the worker, under its limits). It loads
 * Playwright and warms its attach path while it waits (a warm process), then on `start`: attaches to the run's session
 * through the CDP gateway, imports the version's module and calls its default export with
 * `{ page, context, browser, input, workspaceInputs, log, output, files, requestInput, credentials }`
 * (`workspaceInputs`: the workspace files placed in the session for the page's file chooser; their
 * bytes through `files.read(mountPath)` / `files.input(mountPath)`, fetched by the worker). It speaks to
 * the worker over IPC only; it holds no edge credential. `credentials` asks the worker by binding
 * name: `get` answers a `read` secret, `totp` a one-time code; `fill`, `fillTotp`, `seedCookies`
 * and `seedStorage` are done by the worker over its own CDP connection (the secret never comes
 * here), only on a page of an origin the binding allows.
 *
 * The session's browser runs in its sandbox on a host: a download's file is never where Playwright
 * says. Each `Download` is served from the session's recorded files instead (the worker fetches
 * it once): `saveAs`, `path` and `createReadStream` work as usual.
 *
 * It attaches and loads the module as soon as it has the run, and calls the entrypoint once the
 * worker says `go` (the run is reported running by then).
 *
 *   worker → child: start · go · answer · download · input_file · credential_result
 *   child → worker: ready · prepared · log · request_input · fetch_download · fetch_input · credential · done
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { access, copyFile, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Download, type Page } from 'playwright-core';
import { warmAttach } from './attach-warmup.ts';
import { gatewaySocketUrl } from './gateway-url.ts';

export interface StartMessage {
  type: 'start';
  cdpUrl: string;
  sourceDir: string;
  entrypoint: string;
  input: unknown;
  workspaceInputs: WorkspaceInputInfo[];
  /** Answers given before (a run restarted from the profile replays them, in order). */
  answers: { action: string; input: unknown }[];
  filesDir: string;
}

/** A workspace file mounted for the run (placed in the session's files for the page's chooser). */
export interface WorkspaceInputInfo {
  mount_path: string;
  file_name: string;
  media_type: string | null;
  byte_count: number;
  sha256_hex: string;
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
  | { type: 'prepared' }
  | { type: 'log'; stream: 'stdout' | 'stderr' | 'system'; message: string }
  | { type: 'request_input'; request: InputRequest }
  | { type: 'fetch_download'; id: number; name: string; since: number }
  | { type: 'fetch_input'; id: number; mount_path: string }
  | ({ type: 'credential'; id: number } & CredentialCall)
  | {
      type: 'done';
      ok: boolean;
      output?: unknown;
      error?: string;
      entrypoint_ms: number;
      attach_failed?: boolean;
      /** attach (CDP gateway), prepare (pages, module import), entrypoint, downloads. */
      phases_ms?: Record<string, number>;
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

/** A `credentials.*` call as the worker gets it (credentials/broker.ts). */
export interface CredentialCall {
  op: 'get' | 'totp' | 'fill' | 'fillTotp' | 'seedCookies' | 'seedStorage';
  name: string;
  targetId?: string;
  options?: Record<string, unknown>;
}

let answer: ((value: { input: unknown }) => void) | null = null;

/** Settles when the worker says `go` (the run is reported running). */
let go: () => void = () => {};
const goSaid = new Promise<void>((resolve) => {
  go = resolve;
});

const credentialCalls = new Map<
  number,
  { resolve: (value: unknown) => void; reject: (e: Error) => void }
>();
let nextCall = 0;

function askWorker(call: CredentialCall): Promise<unknown> {
  const id = ++nextCall;
  return new Promise((resolve, reject) => {
    credentialCalls.set(id, { resolve, reject });
    send({ type: 'credential', id, ...call });
  });
}

const targetIds = new WeakMap<Page, Promise<string>>();

/** The CDP target id of a page (what the worker attaches to for an injection). */
function targetOf(page: Page): Promise<string> {
  let id = targetIds.get(page);
  if (!id) {
    id = (async () => {
      const session = await page.context().newCDPSession(page);
      try {
        const { targetInfo } = (await session.send('Target.getTargetInfo')) as {
          targetInfo: { targetId: string };
        };
        return targetInfo.targetId;
      } finally {
        await session.detach().catch(() => {});
      }
    })();
    targetIds.set(page, id);
  }
  return id;
}

/** The `credentials` object an entrypoint gets; `page` is the run's page unless one is given. */
function credentialsApi(defaultPage: Page) {
  const onPage = async (page: Page | undefined) => targetOf(page ?? defaultPage);
  return {
    /** The secret of a `read` binding. */
    get: (name: string) => askWorker({ op: 'get', name }),
    /** A one-time code of a `totp_fill` binding (the seed stays with the worker). */
    totp: async (name: string) => String(await askWorker({ op: 'totp', name })),
    /** Fills a login form (`form_fill`): `{ username?: selector, password: selector }`. */
    fill: async (name: string, selectors: { username?: string; password: string }, page?: Page) => {
      await askWorker({ op: 'fill', name, targetId: await onPage(page), options: selectors });
    },
    /** Types a fresh one-time code into `selector` (`totp_fill`). */
    fillTotp: async (name: string, selector: string, page?: Page) => {
      await askWorker({
        op: 'fillTotp',
        name,
        targetId: await onPage(page),
        options: { selector },
      });
    },
    /** Sets the binding's cookies for `origin` (default its first allowed origin). */
    seedCookies: async (name: string, options: { origin?: string } = {}) => {
      await askWorker({ op: 'seedCookies', name, options });
    },
    /** Sets the binding's local/session storage on the page (its origin must be allowed). */
    seedStorage: async (name: string, page?: Page) => {
      await askWorker({ op: 'seedStorage', name, targetId: await onPage(page) });
    },
  };
}

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

/** Workspace inputs asked of the worker (by mount path, each once): a local copy's path. */
const inputCalls = new Map<
  number,
  { resolve: (path: string) => void; reject: (e: Error) => void }
>();
const inputPaths = new Map<string, Promise<string>>();

function inputFromWorker(mountPath: string): Promise<string> {
  let path = inputPaths.get(mountPath);
  if (!path) {
    const id = ++nextFetch;
    path = new Promise<string>((resolve, reject) => {
      inputCalls.set(id, { resolve, reject });
      send({ type: 'fetch_input', id, mount_path: String(mountPath) });
    });
    path.catch(() => inputPaths.delete(mountPath));
    inputPaths.set(mountPath, path);
  }
  return path;
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
      browser = await chromium.connectOverCDP(gatewaySocketUrl(start.cdpUrl), {
        timeout: 30_000,
      });
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
    const attachMs = performance.now() - c0;
    send({
      type: 'log',
      stream: 'system',
      message: `attached to the session in ${Math.round(attachMs)} ms`,
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
      workspaceInputs: start.workspaceInputs,
      log,
      output: (key: string | Record<string, unknown>, value?: unknown) => {
        if (typeof key === 'string') outputs[key] = value;
        else Object.assign(outputs, key);
      },
      files: {
        /** A workspace input's bytes, by its mount path (`workspaceInputs[i].mount_path`). */
        read: async (mountPath: string) => readFile(await inputFromWorker(mountPath)),
        /** A local copy of a workspace input (read-only use: it is the run's scratch). */
        input: (mountPath: string) => inputFromWorker(mountPath),
        dir: start.filesDir,
        path: (name: string) => join(start.filesDir, cleanName(name)),
        write: (name: string, data: string | Uint8Array) => {
          const target = join(start.filesDir, cleanName(name));
          writeFileSync(target, data);
          return target;
        },
      },
      credentials: credentialsApi(page),
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
    const p1 = performance.now();
    send({ type: 'prepared' });
    await goSaid;
    const e0 = performance.now();
    const result = await (mod.default as (c: typeof ctx) => Promise<unknown>)(ctx);
    const e1 = performance.now();
    entry = e1 - e0 - paused;
    await Promise.allSettled(downloads);
    const phases_ms = {
      attach: attachMs,
      prepare: p1 - c0 - attachMs,
      running_wait: e0 - p1,
      entrypoint: e1 - e0,
      downloads: performance.now() - e1,
    };
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
    send({ type: 'done', ok: true, output, entrypoint_ms: Math.round(entry), phases_ms });
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
  | { type: 'go' }
  | { type: 'answer'; input?: unknown }
  | { type: 'credential_result'; id: number; value?: unknown; error?: string }
  | { type: 'download'; id: number; path?: string; error?: string }
  | { type: 'input_file'; id: number; path?: string; error?: string };

process.on('message', (m: FromWorker) => {
  // The worker ends this process once it has the result (or kills it).
  if (m.type === 'start') void run(m);
  else if (m.type === 'go') go();
  else if (m.type === 'credential_result') {
    const waiting = credentialCalls.get(m.id);
    credentialCalls.delete(m.id);
    if (m.error !== undefined) waiting?.reject(new Error(m.error));
    else waiting?.resolve(m.value ?? null);
  } else if (m.type === 'download') {
    const waiting = fetching.get(m.id);
    fetching.delete(m.id);
    if (m.path) waiting?.resolve(m.path);
    else waiting?.reject(new Error(m.error ?? 'the download is not among the session files'));
  } else if (m.type === 'input_file') {
    const waiting = inputCalls.get(m.id);
    inputCalls.delete(m.id);
    if (m.path) waiting?.resolve(m.path);
    else waiting?.reject(new Error(m.error ?? 'the workspace input could not be fetched'));
  } else if (m.type === 'answer' && answer) {
    const a = answer;
    answer = null;
    a({ input: m.input });
  }
});
process.on('disconnect', () => process.exit(0));
// Ready once Playwright's attach path has run once (attach-warmup.ts); a failed warm-up only
// leaves it cold.
void warmAttach()
  .catch(() => {})
  .finally(() => send({ type: 'ready' }));
