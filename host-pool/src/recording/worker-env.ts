/**
 * The environment a recording worker starts with: what a Node process needs to run and reach the
 * edge (path, locale, time zone, temp dir, proxies, extra CA certificates), its own RECORDING_*
 * settings, and nothing else of the agent's — never the enrolment token, the metrics token or any
 * other secret the agent was started with. Its only credential is the job's token, on stdin.
 */
const PASSED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'TZ',
  'TMPDIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'NODE_OPTIONS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
]);

function passes(name: string): boolean {
  return PASSED.has(name) || name.startsWith('LC_') || name.startsWith('RECORDING_');
}

export function recordingWorkerEnv(
  parent: NodeJS.ProcessEnv,
  own: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent))
    if (value !== undefined && passes(name)) env[name] = value;
  return { ...env, ...own };
}
