// Drives the wb-browser-runtime binary over stdio, like wb does.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/wb-browser-runtime.js', import.meta.url));

export interface Frame {
  type: string;
  [field: string]: unknown;
}

const TERMINAL = new Set(['slice.complete', 'slice.failed', 'slice.paused']);

const running = new Set<Sidecar>();

/** Kills every sidecar a test left running (a failed assertion skips its shutdown). */
export async function killLeftovers(): Promise<void> {
  await Promise.all(
    [...running].map((sidecar) => {
      sidecar.kill();
      return sidecar.exited;
    }),
  );
}

/** The environment of the test process without anything that configures the runtime. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(WB_|BROWSERBASE_|BROWSER_USE_|BROWSERPANE_|PARACORD_|TRIGGER_RUN_ID)/.test(key))
      env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export class Sidecar {
  readonly child: ChildProcess;
  /** Every stdout line, raw. */
  readonly lines: string[] = [];
  /** Parsed frames (stdout lines that are JSON objects with a string `type`). */
  readonly frames: Frame[] = [];
  /** When each frame arrived (performance.now() of this process). */
  readonly arrivedAt = new WeakMap<Frame, number>();
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #cursor = 0;
  #waiters: (() => void)[] = [];
  #buffer = '';

  constructor(env: Record<string, string | undefined>, args: string[] = []) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.#onStdout(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.child.stdin?.on('error', () => {});
    running.add(this);
    // 'close': the process exited and all of its stdout/stderr has been read
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        running.delete(this);
        this.#wake();
        resolve({ code, signal });
      });
    });
  }

  /** Everything written to stdout so far. */
  get stdout(): string {
    return this.lines.join('\n');
  }

  send(message: unknown): void {
    this.sendRaw(JSON.stringify(message));
  }

  sendRaw(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  closeStdin(): void {
    this.child.stdin?.end();
  }

  async hello(): Promise<Frame> {
    this.send({ type: 'hello', wb_version: '0.17.5', protocol: 'wb-sidecar/1' });
    return this.next((frame) => frame.type === 'ready');
  }

  /** The next unread frame matching `predicate` (frames before it are consumed). */
  async next(
    predicate: (frame: Frame) => boolean = () => true,
    timeoutMs = 45_000,
  ): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.frames.length) {
        const frame = this.frames[this.#cursor++] as Frame;
        if (predicate(frame)) return frame;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`sidecar exited while waiting for a frame; stderr:\n${this.stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for a frame; frames: ${JSON.stringify(this.frames.slice(-5))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a slice and returns its frames up to and including the terminal one. */
  async slice(message: Record<string, unknown>, timeoutMs = 45_000): Promise<Frame[]> {
    this.send({ type: 'slice', session: 'default', ...message });
    return this.collect(timeoutMs);
  }

  /** Unread frames up to and including the next terminal frame. */
  async collect(timeoutMs = 45_000): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      const frame = await this.next(() => true, timeoutMs);
      out.push(frame);
      if (TERMINAL.has(frame.type)) return out;
    }
  }

  async shutdown(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null) this.send({ type: 'shutdown' });
    return this.exited;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  #onStdout(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      this.lines.push(line);
      try {
        const value = JSON.parse(line) as unknown;
        if (value && typeof value === 'object' && typeof (value as Frame).type === 'string') {
          this.frames.push(value as Frame);
          this.arrivedAt.set(value as Frame, performance.now());
        }
      } catch {
        // a non-frame line (eval/extract output)
      }
      newline = this.#buffer.indexOf('\n');
    }
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

export function byType(frames: Frame[], type: string): Frame[] {
  return frames.filter((frame) => frame.type === type);
}

export function last(frames: Frame[]): Frame {
  return frames[frames.length - 1] as Frame;
}
