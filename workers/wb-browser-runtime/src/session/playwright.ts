// playwright-core is loaded lazily (≈300 ms): `ready` goes out before it is needed.

type PlaywrightModule = typeof import('playwright-core');

let loading: Promise<PlaywrightModule> | undefined;

export function loadPlaywright(): Promise<PlaywrightModule> {
  loading ??= import('playwright-core');
  return loading;
}
