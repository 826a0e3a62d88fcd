/**
 * node-av loaded once for the host agent. It calls `Promise.withResolvers` (Node ≥ 22) in some
 * paths, so Node 20 gets the small polyfill first; FFmpeg's own logging is limited to errors.
 */
type NodeAv = typeof import('node-av');

let loading: Promise<NodeAv> | undefined;

export function loadNodeAv(): Promise<NodeAv> {
  loading ??= (async () => {
    const p = Promise as unknown as { withResolvers?: unknown };
    if (!p.withResolvers) {
      p.withResolvers = <T>() => {
        let resolve!: (v: T) => void;
        let reject!: (e: unknown) => void;
        const promise = new Promise<T>((a, b) => {
          resolve = a;
          reject = b;
        });
        return { promise, resolve, reject };
      };
    }
    const av = await import('node-av');
    av.Log.setLevel(av.AV_LOG_ERROR);
    return av;
  })();
  return loading;
}
