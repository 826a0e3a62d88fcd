/**
 * `credentials create|list|get|delete`: credential bindings for workflow runs. The secret is read
 * from a file (`--secret-file`) or stdin, never from the command line (argv shows up in `ps` and
 * shell history), and no command prints it: the edge never returns it.
 */
import { readFileSync } from 'node:fs';
import type { CredentialBinding } from '@browserpane/api';
import { intArg, pairsArg } from '../args.ts';
import { type Command, table, when } from '../command.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { onePositional } from './workflows.ts';

const KINDS = ['password', 'secret', 'cookies', 'storage', 'totp'] as const;
const MODES = ['form_fill', 'cookie_seed', 'storage_seed', 'totp_fill', 'read'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function describe(b: CredentialBinding): string {
  return [
    `${b.id}  ${b.name}`,
    `  kind ${b.kind} · injection ${b.injection_mode} · store ${b.secret_store}`,
    `  allowed origins: ${b.allowed_origins.join(', ') || '(none)'}`,
    ...(b.totp
      ? [
          `  totp: ${b.totp.digits ?? 6} digits every ${b.totp.period_sec ?? 30} s (${b.totp.algorithm ?? 'SHA1'})`,
        ]
      : []),
    `  fingerprint ${b.fingerprint} · created ${when(b.created_at)}`,
  ].join('\n');
}

/** The secret text: the file's content, or stdin; one trailing newline dropped. */
async function secretText(ctx: Context): Promise<string> {
  const file = ctx.args.values.get('secret-file');
  let text: string;
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--secret-file ${file} cannot be read (${(error as Error).message})`);
    }
  } else text = await ctx.io.stdin();
  text = text.replace(/\r?\n$/, '');
  if (!text)
    throw new UsageError(
      'the secret is empty: pipe it in on stdin or name a file with --secret-file (never on the command line)',
    );
  return text;
}

function payloadOf(kind: (typeof KINDS)[number], text: string, ctx: Context): unknown {
  const asJson = ctx.args.flags.has('payload-json') || kind === 'cookies' || kind === 'storage';
  if (asJson) {
    try {
      return JSON.parse(text);
    } catch {
      throw new UsageError(
        `the ${kind} secret must be JSON (the whole secret_payload), e.g. ${kind === 'cookies' ? '{"cookies":[{"name":"sid","value":"…"}]}' : kind === 'storage' ? '{"local_storage":{"k":"v"}}' : '{…}'}`,
      );
    }
  }
  if (kind === 'password') {
    const username = ctx.args.values.get('username');
    if (username === undefined)
      throw new UsageError(
        'a password credential needs --username (the password comes from stdin)',
      );
    return { username, password: text };
  }
  if (kind === 'totp') return { seed: text.trim() };
  return { value: text };
}

export const credentialCreate: Command = {
  path: ['credentials', 'create'],
  positionals: ['<name>'],
  summary: 'Store a secret for workflow runs (read from stdin or --secret-file)',
  details: `The secret never goes on the command line:
  printf %s "$PASSWORD" | browserpane credentials create site-login --kind password \\
      --username ada --origin https://login.example.com
  browserpane credentials create api-key --kind secret --secret-file ./key.txt
What is read: password → the password (--username gives the user name); secret → the value;
totp → the base32 seed; cookies / storage → the secret_payload as JSON (as with --payload-json).
Runs get it when started with --credential <name|id>; the entrypoint uses credentials.get(name)
(read), credentials.fill(name, { username, password }) (form_fill), credentials.totp(name) …`,
  options: {
    kind: { kind: 'value', meta: KINDS.join('|'), help: 'what the secret is (required)' },
    origin: {
      kind: 'list',
      meta: 'url',
      help: 'an origin where it may be used (repeatable; required but for read)',
    },
    'injection-mode': {
      kind: 'value',
      meta: MODES.join('|'),
      help: 'how runs use it (default from --kind)',
    },
    username: { kind: 'value', meta: 'name', help: 'password: the user name (not secret)' },
    'secret-file': { kind: 'value', meta: 'path', help: 'read the secret from this file' },
    'payload-json': { kind: 'flag', help: 'the secret read is the whole secret_payload as JSON' },
    'totp-digits': { kind: 'value', meta: 'n', help: 'totp: digits (default 6)' },
    'totp-period': { kind: 'value', meta: 's', help: 'totp: seconds per code (default 30)' },
    'totp-algorithm': { kind: 'value', meta: 'SHA1|SHA256|SHA512', help: 'totp (default SHA1)' },
    label: { kind: 'list', meta: 'key=value', help: 'a label (repeatable)' },
  },
  async run(ctx) {
    const name = onePositional(ctx, credentialCreate, 'a name');
    const kind = ctx.args.values.get('kind') as (typeof KINDS)[number] | undefined;
    if (!kind || !KINDS.includes(kind))
      throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
    const mode = ctx.args.values.get('injection-mode') as (typeof MODES)[number] | undefined;
    if (mode !== undefined && !MODES.includes(mode))
      throw new UsageError(`--injection-mode must be one of ${MODES.join(', ')}`);
    const digits = ctx.args.values.get('totp-digits');
    const period = ctx.args.values.get('totp-period');
    const algorithm = ctx.args.values.get('totp-algorithm');
    if (algorithm && !['SHA1', 'SHA256', 'SHA512'].includes(algorithm))
      throw new UsageError('--totp-algorithm must be SHA1, SHA256 or SHA512');
    const payload = payloadOf(kind, await secretText(ctx), ctx);
    const binding = await ctx.api().createCredentialBinding({
      body: {
        name,
        kind,
        ...(mode ? { injection_mode: mode } : {}),
        allowed_origins: ctx.args.lists.get('origin') ?? [],
        ...(digits || period || algorithm
          ? {
              totp: {
                ...(digits ? { digits: intArg('totp-digits', digits, 6, 10) } : {}),
                ...(period ? { period_sec: intArg('totp-period', period, 1, 300) } : {}),
                ...(algorithm ? { algorithm: algorithm as 'SHA1' } : {}),
              },
            }
          : {}),
        secret_payload: payload,
        ...(ctx.args.lists.has('label')
          ? { labels: pairsArg('label', ctx.args.lists.get('label') ?? []) }
          : {}),
      },
    });
    ctx.print(binding, () => describe(binding));
    return 0;
  },
};

export const credentialList: Command = {
  path: ['credentials', 'list'],
  summary: 'Your credential bindings (metadata only)',
  async run(ctx) {
    const list = await ctx.api().listCredentialBindings({ query: {} });
    ctx.print(list, () =>
      list.credential_bindings.length === 0
        ? 'no credential bindings'
        : table([
            ['ID', 'NAME', 'KIND', 'INJECTION', 'ORIGINS', 'CREATED'],
            ...list.credential_bindings.map((b) => [
              b.id,
              b.name,
              b.kind,
              b.injection_mode,
              b.allowed_origins.join(',') || '—',
              when(b.created_at),
            ]),
          ]),
    );
    return 0;
  },
};

/** A binding id, from an id or a name. */
export async function bindingId(ctx: Context, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  const list = await ctx.api().listCredentialBindings({ query: {} });
  const found = list.credential_bindings.find((b) => b.name === ref);
  if (!found) throw new UsageError(`no credential binding is named ${JSON.stringify(ref)}`);
  return found.id;
}

export const credentialGet: Command = {
  path: ['credentials', 'get'],
  positionals: ['<name-or-id>'],
  summary: "A credential binding's metadata (never the secret)",
  async run(ctx) {
    const id = await bindingId(ctx, onePositional(ctx, credentialGet, 'a name or id'));
    const binding = await ctx.api().getCredentialBinding({ params: { binding_id: id } });
    ctx.print(binding, () => describe(binding));
    return 0;
  },
};

export const credentialDelete: Command = {
  path: ['credentials', 'delete'],
  positionals: ['<name-or-id>'],
  summary: 'Delete a credential binding and its secret',
  async run(ctx) {
    const id = await bindingId(ctx, onePositional(ctx, credentialDelete, 'a name or id'));
    const binding = await ctx.api().deleteCredentialBinding({ params: { binding_id: id } });
    ctx.print(binding, () => `deleted ${binding.name} (${binding.id})`);
    return 0;
  },
};
