// --help / --version.

export const USAGE = `wb-browser-runtime — browser sidecar for wb (protocol wb-sidecar/1)

usage: wb-browser-runtime [--help | --version]

Speaks line-framed JSON on stdin/stdout (hello → ready, slice → verb frames, shutdown, suspend);
diagnostics go to stderr. It is started by \`wb run\`, not by hand.

environment (selected; see README.md for all):
  WB_BROWSER_VENDOR            browserbase (default) | browser-use | local | browserpane
  BROWSERPANE_API_URL          browserpane: the edge; with BROWSERPANE_TOKEN (or client credentials)
  WB_ARTIFACTS_DIR             where save / screenshot / download write
  WB_SLICE_DEADLINE_MS         per-slice wall clock (default 120000)
  WB_SUBSTITUTION_ON_MISSING   warn (default) | empty | error
  WB_LOG_LEVEL                 trace | debug | info (default) | warn | error
  WB_RECORDING_UPLOAD_URL      enables rrweb + video recording (with WB_RECORDING_UPLOAD_SECRET)
`;

/** Handles the informational flags; returns true when the process should exit. */
export function handleFlags(
  argv: string[],
  version: string,
  write: (text: string) => void,
): boolean {
  if (argv.includes('--help') || argv.includes('-h')) {
    write(USAGE);
    return true;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    write(`wb-browser-runtime ${version} (wb-sidecar/1)\n`);
    return true;
  }
  return false;
}
