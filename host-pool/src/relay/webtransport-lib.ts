/**
 * Loads `@fails-components/webtransport` once. Its module body tries to import the optional
 * HTTP/3 (quiche) transport and prints a stack trace to the console when that is absent; that is
 * expected here, so the noise is swallowed while it loads and the outcome reported as a flag.
 */
import type * as WebTransportLib from '@fails-components/webtransport';

export interface LoadedWebTransport {
  readonly lib: typeof WebTransportLib;
  /** True when the HTTP/3 transport is installed and loads (self-hosters with internet). */
  readonly http3: boolean;
}

let loading: Promise<LoadedWebTransport> | undefined;

export function loadWebTransport(): Promise<LoadedWebTransport> {
  loading ??= load();
  return loading;
}

async function load(): Promise<LoadedWebTransport> {
  let http3 = false;
  try {
    // Probe first (transport.md bug 4): without quiche, HttpServer's `ready` never settles.
    await import('@fails-components/webtransport-transport-http3-quiche' as string);
    http3 = true;
  } catch {
    http3 = false;
  }
  const restore = muteConsole(http3);
  try {
    const lib = await import('@fails-components/webtransport');
    // The library's own probe logs when it settles; wait for that while muted.
    await lib.quicheLoaded;
    return { lib, http3 };
  } finally {
    restore();
  }
}

function muteConsole(keep: boolean): () => void {
  if (keep) return () => {};
  const { error, log } = console;
  const quiet = (original: typeof console.log) =>
    ((...args: unknown[]) => {
      const text = args.map(String).join(' ');
      if (/http3|quiche|http3-quiche|Problem loading/i.test(text)) return;
      original(...args);
    }) as typeof console.log;
  console.error = quiet(error);
  console.log = quiet(log);
  return () => {
    console.error = error;
    console.log = log;
  };
}
