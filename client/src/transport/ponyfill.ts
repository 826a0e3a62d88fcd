// Bundled with the patches in scripts/webtransport-patches.ts (no example.com probe; `ws:` allowed).
export { WebTransportPonyfill } from '@fails-components/webtransport';
