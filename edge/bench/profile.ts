/**
 * CPU profiles of the edge worker under load, through workerd's V8 inspector
 * (`startWorkerd({ inspectorPort })` / `workerd serve --inspector-addr`), and a summary: self time
 * by function and by phase of a request, per request. Also the CPU time of a process from /proc,
 * which is what the benchmark reports per ticket (robust on a busy machine, unlike wall time).
 */
import { readdirSync, readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** User + system CPU time of a process so far, in ms (Linux /proc). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime at 100 Hz
}

/**
 * CPU time (ms) of this process's descendants whose command name is one of `names`, including
 * children they have reaped (cutime/cstime: a Postgres backend that served one connection and
 * exited is counted through the postmaster).
 */
export function descendantsCpuMs(names: readonly string[]): number {
  const procs: { pid: number; ppid: number; comm: string; ms: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const f = stat.slice(close + 2).split(' ');
      const ms = ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / 100;
      procs.push({
        pid: Number(entry),
        ppid: Number(f[1]),
        comm: stat.slice(stat.indexOf('(') + 1, close),
        ms,
      });
    } catch {
      // the process went away
    }
  }
  const children = new Map<number, typeof procs>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  let total = 0;
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (names.includes(child.comm)) total += child.ms;
      walk(child.pid);
    }
  };
  walk(process.pid);
  return total;
}

/** The pid of a direct child process of this one whose command name contains `name` (Linux). */
export function childPid(name: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const match = /^\d+ \((.*)\) \S (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (match && Number(match[2]) === process.pid && match[1]?.includes(name))
        return Number(entry);
    } catch {
      // the process went away
    }
  }
  return null;
}

/** Starts a sampling profile of the first worker isolate the inspector lists. */
export async function startCpuProfile(
  inspectorPort: number,
  samplingIntervalUs = 200,
): Promise<{ stop(): Promise<CpuProfile> }> {
  if (typeof WebSocket === 'undefined') {
    throw new Error('profiling needs WebSocket: run Node with --experimental-websocket (Node 20)');
  }
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const target = targets[0];
  if (!target) throw new Error('the inspector lists no worker');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('inspector connection failed')), {
      once: true,
    });
  });
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (event) => {
    const msg = JSON.parse(String(event.data)) as {
      id?: number;
      result?: unknown;
      error?: unknown;
    };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result ?? msg.error);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await send('Profiler.start');
  return {
    async stop() {
      const result = (await send('Profiler.stop')) as { profile: CpuProfile };
      ws.close();
      return result.profile;
    },
  };
}

/** Maps lines of the esbuild bundle to source modules via its `// path/to/module.ts` markers. */
function moduleMapper(bundle: string): (line: number) => string {
  const marks: [number, string][] = [];
  bundle.split('\n').forEach((text, line) => {
    if (/^\/\/ (\.\.\/|src\/)\S+$/.test(text)) {
      const path = text.slice(3);
      const pkg = path.lastIndexOf('node_modules/');
      marks.push([line, pkg >= 0 ? path.slice(pkg + 13) : path.replace(/^(\.\.\/)+/, '')]);
    }
  });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let found = '?';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const mark = marks[mid] as [number, string];
      if (mark[0] <= line) {
        found = mark[1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Phases of a ticket request, tried leaf-first on each sample's stack (first JS frame that matches). */
const PHASES: [string, (module: string, fn: string) => boolean][] = [
  ['db: lean wire client', (m) => m.startsWith('src/db/pg-wire')],
  ['db: postgres.js client construction', (_, fn) => fn === 'openDatabase'],
  [
    'db: postgres.js (socket polyfill, protocol, parsing, teardown)',
    (m) => m.startsWith('postgres/'),
  ],
  ['db: drizzle', (m) => m.startsWith('drizzle-orm/')],
  [
    'signing (JWS, Ed25519)',
    (m) => m.startsWith('jose/') || m.startsWith('src/services/signing-keys'),
  ],
  [
    'auth (bearer check, cached)',
    (m) => m.startsWith('src/middleware/auth') || m.startsWith('src/services/oidc'),
  ],
  [
    'ticket rules + route handler',
    (m) => m.startsWith('src/services/tickets') || m.startsWith('src/routes/'),
  ],
  [
    'body parsing + validation',
    (m) => m.startsWith('src/http/') || m.startsWith('src/validation/'),
  ],
  [
    'routing + middleware (hono)',
    (m) => m.startsWith('hono/') || m.startsWith('src/middleware/') || m.startsWith('src/app'),
  ],
  ['node compat (Buffer, events) under postgres.js', (m) => m.startsWith('node-internal:')],
];

export interface ProfileSummary {
  /** Busy (non-idle) sampled ms per request. */
  busyMsPerRequest: number;
  phases: { phase: string; msPerRequest: number; share: number }[];
  functions: { name: string; msPerRequest: number; share: number }[];
}

/** Self time per function and per phase, divided by the number of requests in the window. */
export function summarizeProfile(
  profile: CpuProfile,
  bundle: string,
  requests: number,
  bundleUrl = 'worker.js',
): ProfileSummary {
  const moduleOf = moduleMapper(bundle);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const where = (cf: CallFrame) =>
    cf.url === bundleUrl || cf.url.endsWith(`/${bundleUrl}`) ? moduleOf(cf.lineNumber) : cf.url;
  const self = new Map<number, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (nodes.get(id)?.callFrame.functionName === '(idle)') return;
    busy += ms;
    self.set(id, (self.get(id) ?? 0) + ms);
  });
  const byFunction = new Map<string, number>();
  const byPhase = new Map<string, number>();
  for (const [id, ms] of self) {
    const cf = (nodes.get(id) as ProfileNode).callFrame;
    const module = where(cf);
    const name = `${cf.functionName || '(anonymous)'}${module ? `  ${module}:${cf.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    let phase: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined && !phase; cur = parent.get(cur)) {
      const frame = (nodes.get(cur) as ProfileNode).callFrame;
      if (!frame.url) continue; // native (C++) frames: attribute to the JS that called them
      const m = where(frame);
      phase = PHASES.find(([, match]) => match(m, frame.functionName))?.[0];
    }
    if (!phase) {
      phase = ['(garbage collector)', '(program)'].includes(cf.functionName)
        ? cf.functionName === '(program)'
          ? 'runtime outside JS ((program): HTTP, sockets, promise plumbing)'
          : 'garbage collection'
        : 'other (native callbacks, unattributed)';
    }
    byPhase.set(phase, (byPhase.get(phase) ?? 0) + ms);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => ({ name, msPerRequest: ms / requests, share: ms / busy }));
  return {
    busyMsPerRequest: busy / requests,
    phases: rank(byPhase).map(({ name, msPerRequest, share }) => ({
      phase: name,
      msPerRequest,
      share,
    })),
    functions: rank(byFunction),
  };
}

export function formatSummary(summary: ProfileSummary, topFunctions = 25): string {
  const row = (ms: number, share: number, label: string) =>
    `${ms.toFixed(3).padStart(8)} ms  ${(share * 100).toFixed(1).padStart(5)}%  ${label}`;
  return [
    `sampled busy time ${summary.busyMsPerRequest.toFixed(3)} ms per request (sampling inflates absolute values; compare shares)`,
    'by phase:',
    ...summary.phases.map((p) => row(p.msPerRequest, p.share, p.phase)),
    `top ${topFunctions} functions by self time:`,
    ...summary.functions.slice(0, topFunctions).map((f) => row(f.msPerRequest, f.share, f.name)),
  ].join('\n');
}
