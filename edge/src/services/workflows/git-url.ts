/**
 * Which git URLs a workflow source may name: a protocol on the allow-list, no local forms (`ext::`
 * runs commands, `file:` and bare paths read the worker's disk), no credentials inside the URL
 * (they would be stored and shown; private repositories authenticate through the worker's own git
 * configuration).
 */
import { AppError } from '../../errors.ts';

const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;

function refuse(message: string): never {
  throw new AppError('git_url_forbidden', message);
}

/** The URL's protocol (`https`, `ssh`, …) once it passed; throws `git_url_forbidden` otherwise. */
export function checkGitUrl(raw: string, allowed: readonly string[]): string {
  if (/[\s\u0000-\u001f\u007f]/.test(raw))
    refuse('repository_url must not contain spaces or control characters');
  if (raw.startsWith('-')) refuse('repository_url must not start with "-"');
  let protocol: string;
  if (raw.includes('::'))
    refuse('repository_url must not use a remote helper (`<transport>::<address>`)');
  if (SCP_LIKE.test(raw)) protocol = 'ssh';
  else {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      refuse('repository_url must be a URL (https://…, ssh://…, git://…) or user@host:path');
    }
    protocol = url.protocol.replace(/:$/, '');
    if (protocol === 'git+ssh' || protocol === 'ssh+git') protocol = 'ssh';
    if (url.password || (url.username && protocol !== 'ssh'))
      refuse('repository_url must not carry credentials; configure them on the workflow workers');
    if (!url.hostname) refuse('repository_url must name a host');
  }
  if (!allowed.includes(protocol))
    refuse(
      `the ${protocol} protocol is not allowed for workflow sources (allowed: ${allowed.join(', ')})`,
    );
  return protocol;
}
