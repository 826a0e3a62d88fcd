/**
 * node-av (FFmpeg bindings), loaded once per process on first use: the host agent's video, audio
 * and camera share it, and so does the wb runtime's recorder (`@browserpane/host-pool/media/node-av`). It calls `Promise.withResolvers` (Node ≥ 22) in some paths, so Node 20 gets a
 * small polyfill first; FFmpeg's own logging is limited to errors.
 */
type NodeAv = typeof import('node-av');
type Constants = typeof import('node-av/constants');

/** The loaded bindings and their constants. */
export interface AvLib {
  readonly av: NodeAv;
  readonly constants: Constants;
}

let loading: Promise<AvLib> | undefined;

function polyfill(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (P.withResolvers) return;
  P.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise, resolve, reject };
  };
}

/** Loads node-av once (errors only at FFmpeg's log level). */
export function loadNodeAv(): Promise<AvLib> {
  loading ??= (async () => {
    polyfill();
    const [av, constants] = await Promise.all([import('node-av'), import('node-av/constants')]);
    av.Log.setLevel(constants.AV_LOG_ERROR);
    return { av, constants };
  })();
  return loading;
}
