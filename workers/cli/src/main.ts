/**
 * `browserpane`: workflows, runs, sessions and webhooks over API v1. `main(argv, io)` returns the exit
 * code (see errors.ts); the bin wrapper sets it.
 */

import { type Options, parseArgs } from './args.ts';
import { type Command, GLOBAL_OPTIONS } from './command.ts';
import {
  credentialCreate,
  credentialDelete,
  credentialGet,
  credentialList,
} from './commands/credentials.ts';
import { EXTENSION_COMMANDS } from './commands/extensions.ts';
import { login, logout } from './commands/login.ts';
import {
  runCancel,
  runDownload,
  runFiles,
  runGet,
  runList,
  runLogs,
  runReject,
  runResume,
  runStart,
  runSubmitInput,
} from './commands/runs.ts';
import { sessionCreate, sessionList, sessionStop } from './commands/sessions.ts';
import { WEBHOOK_COMMANDS } from './commands/webhooks.ts';
import {
  versionCreate,
  versionList,
  workflowCreate,
  workflowGet,
  workflowList,
} from './commands/workflows.ts';
import { workspaceCommands } from './commands/workspaces.ts';
import { createContext, type Io } from './context.ts';
import { describeFailure, EXIT, UsageError } from './errors.ts';

export const COMMANDS: readonly Command[] = [
  login,
  logout,
  workflowList,
  workflowGet,
  workflowCreate,
  versionCreate,
  versionList,
  runStart,
  runGet,
  runList,
  runLogs,
  runCancel,
  runSubmitInput,
  runResume,
  runReject,
  runFiles,
  runDownload,
  sessionList,
  sessionCreate,
  sessionStop,
  credentialCreate,
  credentialList,
  credentialGet,
  credentialDelete,
  ...WEBHOOK_COMMANDS,
  ...EXTENSION_COMMANDS,
  ...workspaceCommands,
];

const EXIT_HELP = `Exit codes: 0 ok · 1 a followed run ended without succeeding · 2 usage · 3 not signed in,
token refused or not allowed · 4 the API refused the request (code printed) · 5 edge unreachable.`;

function optionLines(options: Options): string[] {
  return Object.entries(options).map(([name, o]) => {
    const left = `  --${name}${o.kind === 'flag' ? '' : ` <${o.meta ?? 'value'}>`}`;
    return `${left.padEnd(34)} ${o.help}`;
  });
}

function usageLine(c: Command): string {
  return `browserpane ${c.path.join(' ')}${c.positionals ? ` ${c.positionals.join(' ')}` : ''}${c.options ? ' [options]' : ''}`;
}

export function commandHelp(c: Command): string {
  return [
    `usage: ${usageLine(c)}`,
    '',
    c.summary,
    ...(c.details ? ['', c.details] : []),
    ...(c.options ? ['', 'Options:', ...optionLines(c.options)] : []),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    EXIT_HELP,
  ].join('\n');
}

/** Help for a group (`run`) or everything (prefix []). */
export function groupHelp(prefix: readonly string[]): string {
  const listed = COMMANDS.filter((c) => prefix.every((p, i) => c.path[i] === p));
  return [
    `usage: browserpane ${prefix.length ? `${prefix.join(' ')} ` : ''}<command> [options]`,
    '',
    ...(prefix.length === 0
      ? [
          'BrowserPane on the command line: workflows, runs, sessions, credentials, webhooks, extensions and file workspaces.',
          '',
        ]
      : []),
    'Commands:',
    ...listed.map((c) => `  ${c.path.join(' ').padEnd(26)} ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Settings: BROWSERPANE_API_URL, BROWSERPANE_TOKEN, BROWSERPANE_CONFIG_DIR (saved login).',
    "`browserpane <command> --help` for a command's options.",
    '',
    EXIT_HELP,
  ].join('\n');
}

/** The command the words name (longest match), and how many words it took. */
function find(words: readonly string[]): Command | undefined {
  return COMMANDS.filter((c) => c.path.every((p, i) => words[i] === p)).sort(
    (a, b) => b.path.length - a.path.length,
  )[0];
}

const defaultIo = (): Io => ({
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
});

export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('--'));
  const command = find(words);
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (!command) {
    const prefix = words.filter((w, i) =>
      COMMANDS.some((c) => c.path[i] === w && words.slice(0, i).every((p, j) => c.path[j] === p)),
    );
    if (wantsHelp || words.length === 0) {
      io.out(groupHelp(prefix));
      return words.length === 0 && !wantsHelp ? EXIT.usage : EXIT.ok;
    }
    io.err(`browserpane: unknown command "${words.join(' ')}"\n\n${groupHelp(prefix)}`);
    return EXIT.usage;
  }
  if (wantsHelp) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  try {
    const args = parseArgs(argv, { ...GLOBAL_OPTIONS, ...command.options });
    const ctx = createContext(args, io);
    return (await command.run(ctx)) ?? EXIT.ok;
  } catch (error) {
    const { code, message } = describeFailure(error);
    io.err(`browserpane: ${message}`);
    if (error instanceof UsageError) io.err(`\n${commandHelp(command)}`);
    return code;
  }
}
