import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

interface Patch {
  readonly file: RegExp;
  readonly find: RegExp;
  readonly replace: string;
  readonly why: string;
}

/**
 * Source patches for the `@fails-components/webtransport` browser build, applied while bundling.
 * Each must match exactly once, so a library upgrade that moves the code fails the build instead
 * of silently shipping the unpatched behaviour.
 */
export const PATCHES: readonly Patch[] = [
  {
    file: /webtransport\.browser\.js$/,
    find: /\/\/ @ts-ignore\nif \(globalThis\.WebTransport\) \{\n {2}webtransportSupported = true\n {2}try \{[\s\S]*?\n\}\n/,
    replace: 'if (globalThis.WebTransport) {\n  webtransportSupported = true\n}\n',
    why: 'drop the import-time feature probe that connects to example.com on every page load',
  },
  {
    file: /http2[/\\]browser[/\\]browser\.js$/,
    find: /let url = 'wss:\/\/' \+ this\.hostname/,
    replace: "let url = (this.bpScheme || 'wss://') + this.hostname",
    why: 'allow ws:// for a loopback development relay without TLS',
  },
  {
    file: /http2[/\\]browser[/\\]browser\.js$/,
    find: /this\.port = args\?\.port \|\| 443\n/,
    replace: 'this.port = args?.port || 443\n    this.bpScheme = args?.bpScheme\n',
    why: 'carry the chosen WebSocket scheme into the transport',
  },
];

export function webTransportPatches(): Plugin {
  return {
    name: 'browserpane-webtransport-patches',
    setup(build) {
      build.onLoad(
        { filter: /@fails-components[/\\]webtransport[/\\]lib[/\\].*\.js$/ },
        async (args) => {
          let text = await readFile(args.path, 'utf8');
          for (const patch of PATCHES.filter((p) => p.file.test(args.path))) {
            const matches = text.match(new RegExp(patch.find.source, `${patch.find.flags}g`));
            if (matches?.length !== 1) {
              throw new Error(
                `webtransport patch (${patch.why}) matched ${matches?.length ?? 0} times in ${args.path}`,
              );
            }
            text = text.replace(patch.find, patch.replace);
          }
          return { contents: text, loader: 'js' };
        },
      );
    },
  };
}
