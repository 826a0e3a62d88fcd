/** Runs the CLI in this process with captured output (and, for exit codes, as a real process). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Io } from '../src/context.ts';
import { main } from '../src/main.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function cli(argv: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env,
    stdin: async () => stdin,
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const BIN = join(import.meta.dirname, '..', 'bin', 'browserpane.js');

/** The real binary (exit code as the shell sees it); async: the test's PGlite must keep serving. */
export function cliProcess(argv: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...argv], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? -1, out, err })),
  );
}
