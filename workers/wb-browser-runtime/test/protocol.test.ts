// Framing, handshake, malformed input and every way the process ends.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, Sidecar } from './helpers/sidecar.ts';

const VERBS = [
  'goto',
  'fill',
  'click',
  'press',
  'wait_for',
  'wait_for_network_idle',
  'screenshot',
  'extract',
  'assert',
  'eval',
  'save',
  'pause_for_human',
  'wait_for_drop',
  'announce_artifact',
  'download',
];

/** Pids of the processes whose parent is `pid`. */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('command line', () => {
  it('--help and --version', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('wb-sidecar/1');
    const version = spawnSync(process.execPath, [BIN, '--version'], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^wb-browser-runtime \d+\.\d+\.\d+ \(wb-sidecar\/1\)\n$/);
  });

  it('an unknown vendor is a clear error and exit 1 before ready', () => {
    const res = spawnSync(process.execPath, [BIN], {
      encoding: 'utf8',
      env: cleanEnv({ WB_BROWSER_VENDOR: ' Nope ' }),
      input: '{"type":"hello"}\n',
    });
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(
      'WB_BROWSER_VENDOR=" Nope " is not a known vendor; use one of: browserbase, browser-use, local, browserpane',
    );
  });
});

describe('handshake and framing', () => {
  it('answers every hello with ready and ignores malformed lines', async () => {
    const sidecar = new Sidecar({ WB_BROWSER_VENDOR: ' LOCAL ' });
    const ready = await sidecar.hello();
    expect(ready).toEqual({
      type: 'ready',
      runtime: 'wb-browser-runtime',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      protocol: 'wb-sidecar/1',
      min_protocol: 'wb-sidecar/1',
      supports: VERBS,
      features: [
        'recording',
        'pause',
        'substitution',
        'substitution_escape',
        'download_capture',
        'signed_url_download',
      ],
    });
    for (const line of [
      'null',
      '42',
      '[]',
      'garbage{',
      '"text"',
      '{"type":"x"}',
      '{}',
      '',
      '   ',
      'true',
    ]) {
      sidecar.sendRaw(line);
    }
    sidecar.send({ type: 'hello', protocol: 'wb-sidecar/2' });
    await sidecar.next((frame) => frame.type === 'ready');
    expect(sidecar.frames.map((f) => f.type)).toEqual(['ready', 'ready']);
    expect(sidecar.lines).toHaveLength(2);
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
    expect(sidecar.stderr).toContain('[warn] ignoring non-JSON input: garbage{');
    expect(sidecar.stderr).toContain('[warn] unknown message type: null');
    expect(sidecar.stderr).toContain('[warn] unknown message type: x');
  });

  it('writes nothing before hello and nothing but frames after', async () => {
    const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sidecar.lines).toEqual([]);
    await sidecar.hello();
    sidecar.closeStdin();
    expect(await sidecar.exited).toEqual({ code: 0, signal: null });
    for (const line of sidecar.lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('WB_LOG_LEVEL filters stderr; an invalid level warns once', async () => {
    const quiet = new Sidecar({ WB_BROWSER_VENDOR: 'local', WB_LOG_LEVEL: 'error' });
    await quiet.hello();
    quiet.sendRaw('garbage');
    expect(await quiet.shutdown()).toEqual({ code: 0, signal: null });
    expect(quiet.stderr).toBe('');
    const loud = new Sidecar({ WB_BROWSER_VENDOR: 'local', WB_LOG_LEVEL: 'chatty' });
    await loud.hello();
    expect(await loud.shutdown()).toEqual({ code: 0, signal: null });
    expect(loud.stderr.match(/WB_LOG_LEVEL="chatty" is not one of/g)).toHaveLength(1);
  });
});

describe('shutdown', () => {
  it('shutdown, stdin EOF and suspend exit 0 without a session', async () => {
    for (const end of ['shutdown', 'eof', 'suspend'] as const) {
      const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
      await sidecar.hello();
      if (end === 'eof') sidecar.closeStdin();
      else sidecar.send({ type: end });
      expect(await sidecar.exited, end).toEqual({ code: 0, signal: null });
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal} with a live browser closes it and exits 0`, async () => {
      const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
      await sidecar.hello();
      const frames = await sidecar.slice({ verbs: [{ goto: 'data:text/html,<p>hi</p>' }] });
      expect(frames.at(-1)?.type).toBe('slice.complete');
      const pid = sidecar.child.pid as number;
      const browsers = children(pid);
      expect(browsers.length).toBeGreaterThan(0);
      sidecar.child.kill(signal);
      expect(await sidecar.exited).toEqual({ code: 0, signal: null });
      expect(sidecar.stderr).toContain(`[shutdown] received ${signal}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(browsers.filter(alive)).toEqual([]);
    });
  }

  it('exits 0 and closes the browser when wb goes away (stdio closed)', async () => {
    const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
    await sidecar.hello();
    await sidecar.slice({ verbs: [{ goto: 'data:text/html,<p>hi</p>' }] });
    const browsers = children(sidecar.child.pid as number);
    sidecar.child.stdout?.destroy();
    sidecar.child.stderr?.destroy();
    sidecar.child.stdin?.destroy();
    expect(await sidecar.exited).toEqual({ code: 0, signal: null });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(browsers.filter(alive)).toEqual([]);
  });

  it('drains a running slice before exiting on shutdown', async () => {
    const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
    await sidecar.hello();
    sidecar.send({
      type: 'slice',
      session: 'a',
      verbs: [
        { goto: 'data:text/html,<p>x</p>' },
        { eval: 'await new Promise(r => setTimeout(r, 400)); return 1' },
      ],
    });
    sidecar.send({ type: 'shutdown' });
    sidecar.send({ type: 'slice', session: 'a', verbs: [] });
    expect(await sidecar.exited).toEqual({ code: 0, signal: null });
    expect(sidecar.frames.map((f) => f.type)).toEqual([
      'ready',
      'slice.session_started',
      'verb.complete',
      'verb.complete',
      'slice.complete',
    ]);
  });
});
