// node-av (FFmpeg bindings), loaded on first use. On Node 20 it needs Promise.withResolvers.

type NodeAv = typeof import('node-av');
type Constants = typeof import('node-av/constants');

let loading: Promise<{ av: NodeAv; constants: Constants }> | undefined;

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

export function loadNodeAv(): Promise<{ av: NodeAv; constants: Constants }> {
  loading ??= (async () => {
    polyfill();
    const [av, constants] = await Promise.all([import('node-av'), import('node-av/constants')]);
    av.Log.setLevel(constants.AV_LOG_ERROR);
    return { av, constants };
  })();
  return loading;
}
