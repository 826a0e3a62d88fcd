import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulseServer } from '../src/audio/pulse-server.ts';
import { CdpClient } from '../src/cdp/index.ts';
import { silentLogger } from '../src/log.ts';
import { SessionRuntime } from '../src/runtime/index.ts';
import { sessionPaths } from '../src/runtime/profile.ts';
import { UID_LOCK_DIR } from '../src/sandbox/identity.ts';
import {
  DEFAULT_SANDBOX_UID_BASE,
  HostSandbox,
  SANDBOX_UID_RANGE,
  SessionSandbox,
} from '../src/sandbox/index.ts';
import { hostAddresses } from '../src/sandbox/network.ts';

const ROOT = process.getuid?.() === 0;

/** A TCP listener on the host's every address (what a careless local service looks like). */
async function listenEverywhere(): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => s.end('hello from the host\n'));
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  return { port: (server.address() as { port: number }).port, server };
}

/** The `Uid:` line of a process: real, effective, saved, filesystem. */
function uids(pid: number): number[] {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(.*)$/m)?.[1] ?? '';
  return line.split(/\s+/).map(Number);
}

describe.skipIf(!ROOT)(
  'session sandbox of a root agent (real bubblewrap, pasta, Xvfb, Chromium)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-sandbox-test-'));
    const sessionDir = join(dir, 'sessions', 'sbx');
    const hostMarker = join(tmpdir(), `bp-sandbox-marker-${process.pid}`);
    let allowed: { port: number; server: Server };
    let other: { port: number; server: Server };
    let host: HostSandbox;
    let sandbox: SessionSandbox;
    let runtime: SessionRuntime;
    let browserPid: number;
    let pulse: PulseServer | undefined;
    let umask: number;

    /** Runs a shell command where the browser runs: its mounts and network, as its user. */
    const inside = (script: string): { code: number | null; out: string } => {
      const r = spawnSync(
        'nsenter',
        [
          `--target=${browserPid}`,
          '--mount',
          '--net',
          'setpriv',
          `--reuid=${sandbox.identity.uid}`,
          `--regid=${sandbox.identity.gid}`,
          '--clear-groups',
          '/usr/bin/bash',
          '-c',
          script,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    };
    const canConnect = (host: string, port: number) =>
      inside(`timeout 5 bash -c 'exec 3<>/dev/tcp/${host}/${port}'`).code === 0;

    beforeAll(async () => {
      // as under the systemd unit (UMask=0027): what the session must read is opened up explicitly
      umask = process.umask(0o027);
      writeFileSync(hostMarker, 'the host /tmp');
      allowed = await listenEverywhere();
      other = await listenEverywhere();
      host = new HostSandbox(
        {
          enabled: true,
          uidBase: DEFAULT_SANDBOX_UID_BASE,
          allowHostPorts: [allowed.port],
          allowNets: [],
        },
        silentLogger,
      );
      expect(await host.prepare()).toBeUndefined();
      sandbox = await host.create(sessionDir, sessionPaths(sessionDir));
      pulse = await PulseServer.start({ log: silentLogger, sandbox });
      runtime = new SessionRuntime();
      await runtime.start({
        sessionId: 'sbx',
        sessionDir,
        width: 1024,
        height: 640,
        startUrl: 'about:blank',
        sandbox,
        chromiumEnv: pulse.clientEnv,
        browserReadablePaths: [pulse.paths.dir],
      });
      browserPid = SessionSandbox.mainPid(runtime.chromiumPid as number) as number;
    });

    afterAll(async () => {
      process.umask(umask);
      await runtime?.kill().catch(() => undefined);
      await pulse?.stop();
      await sandbox?.close().catch(() => undefined);
      allowed?.server.close();
      other?.server.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(hostMarker, { force: true });
    });

    it('runs Xvfb, PulseAudio and Chromium as a user of the session, Chromium with its own sandbox on', () => {
      const { uid } = sandbox.identity;
      const pulsePid = SessionSandbox.mainPid(pulse?.pid as number) as number;
      expect(uids(pulsePid)).toEqual([uid, uid, uid, uid]);
      expect(sandbox.identity.own).toBe(true);
      expect(uid).toBeGreaterThanOrEqual(DEFAULT_SANDBOX_UID_BASE);
      expect(uid).toBeLessThan(DEFAULT_SANDBOX_UID_BASE + SANDBOX_UID_RANGE);
      const xvfbPid = SessionSandbox.mainPid(runtime.xvfbPid as number) as number;
      expect(uids(browserPid)).toEqual([uid, uid, uid, uid]);
      expect(uids(xvfbPid)).toEqual([uid, uid, uid, uid]);
      const cmdline = readFileSync(`/proc/${browserPid}/cmdline`, 'utf8').split('\0');
      expect(cmdline[0]).toMatch(/chrom/);
      expect(cmdline).not.toContain('--no-sandbox');
      expect(readFileSync(`/proc/${browserPid}/status`, 'utf8')).toMatch(/^NoNewPrivs:\s+1$/m);
      // Chromium's zygote keeps its own (namespace) sandbox inside ours
      const all = execFileSync('ps', ['-o', 'args=', '-u', String(uid)], { encoding: 'utf8' });
      expect(all).toMatch(/--type=zygote/);
    });

    it('shows the browser its own session directories and a read-only system, nothing else', () => {
      const paths = sessionPaths(sessionDir);
      expect(inside('ls /').out.split('\n').filter(Boolean).sort()).toEqual(
        [
          dir.split('/')[1] as string,
          'bin',
          'dev',
          'etc',
          'lib',
          'lib64',
          'proc',
          'sbin',
          'tmp',
          'usr',
          // only /var/cache/fontconfig in it
          'var',
        ]
          .filter((v, i, a) => a.indexOf(v) === i)
          .sort(),
      );
      expect(inside('ls -d /var/* /var/cache/*').out.split('\n').filter(Boolean)).toEqual([
        '/var/cache',
        '/var/cache/fontconfig',
      ]);
      expect(inside('cat /etc/shadow').code).not.toBe(0);
      expect(inside('ls /root').code).not.toBe(0);
      expect(inside(`cat ${hostMarker}`).code).not.toBe(0);
      // the session directory holds only what the browser uses: not the agent's sandbox files,
      // upload partials or download snapshots
      expect(inside(`ls ${sessionDir}`).out.split('\n').filter(Boolean).sort()).toEqual(
        ['Xauthority', 'downloads', 'home', 'profile', 'uploads'].sort(),
      );
      expect(inside(`ls ${dir}`).out.trim()).toBe('sessions');
      expect(inside(`touch ${paths.profile}/written && echo ok`).out.trim()).toBe('ok');
      // the audio socket's directory is there to read, not to change
      expect(inside(`test -S ${pulse?.paths.socket} && echo ok`).out.trim()).toBe('ok');
      expect(inside(`touch ${pulse?.paths.dir}/x`).code).not.toBe(0);
      expect(inside('touch /usr/bin/x').code).not.toBe(0);
      expect(inside(`touch ${paths.xauthority}`).code).not.toBe(0);
      expect(inside('touch /etc/chromium/policies/managed/more.json').code).not.toBe(0);
      expect(JSON.parse(inside('cat /etc/chromium/policies/managed/browserpane.json').out)).toEqual(
        expect.objectContaining({ DownloadDirectory: paths.downloads }),
      );
    });

    it('routes the browser to the internet only: host, private and link-local ranges are refused', () => {
      const routes = inside('ip -4 route').out;
      expect(routes).toMatch(/^default via 169\.254\.1\.1 dev /m);
      for (const net of ['10.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'])
        expect(routes).toContain(`prohibit ${net}`);
      for (const address of hostAddresses())
        expect(routes).toContain(`prohibit ${address.replace('/32', '')}`);
      // the host's loopback: only the allowed port crosses
      expect(canConnect('127.0.0.1', allowed.port)).toBe(true);
      expect(canConnect('127.0.0.1', other.port)).toBe(false);
      // the host's own address (a service bound to 0.0.0.0) and cloud metadata
      for (const address of hostAddresses())
        expect(canConnect(address.replace('/32', ''), other.port)).toBe(false);
      expect(canConnect('169.254.169.254', 80)).toBe(false);
      // no IPv6 way around it
      expect(canConnect('::1', other.port)).toBe(false);
    });

    it('refuses file:// and chrome:// pages in the browser, keeps web pages working', async () => {
      const client = await CdpClient.connect(runtime.cdpWebSocketUrl());
      try {
        const open = async (url: string): Promise<string> => {
          const { targetId } = await client.send<{ targetId: string }>('Target.createTarget', {
            url: 'about:blank',
          });
          const session = await client.attach(targetId);
          const res = await session.send<{ errorText?: string }>('Page.navigate', { url });
          await client.send('Target.closeTarget', { targetId });
          return res.errorText ?? 'loaded';
        };
        expect(await open('file:///etc/passwd')).toBe('net::ERR_BLOCKED_BY_ADMINISTRATOR');
        expect(await open(`file://${sessionDir}/Xauthority`)).toBe(
          'net::ERR_BLOCKED_BY_ADMINISTRATOR',
        );
        expect(await open('chrome://version')).toBe('net::ERR_BLOCKED_BY_ADMINISTRATOR');
        expect(await open('data:text/html,<p>fine</p>')).toBe('loaded');
      } finally {
        await client.close();
      }
    });

    it('stops without leftovers: no process of the session user, no namespace, the id free', async () => {
      const { uid } = sandbox.identity;
      await runtime.stop();
      await pulse?.stop();
      pulse = undefined;
      await sandbox.close();
      const left = spawnSync('pgrep', ['-u', String(uid)], { encoding: 'utf8' }).stdout.trim();
      expect(left).toBe('');
      expect(existsSync(`/run/netns/bp-${uid}`)).toBe(false);
      // the id is free again (another agent may take it at once: ids are claimed machine-wide)
      expect(existsSync(join(UID_LOCK_DIR, String(uid)))).toBe(false);
    });
  },
);

describe.skipIf(!ROOT)('session sandbox of a non-root agent (user namespaces only)', () => {
  it('confines Xvfb and Chromium the same way, under the agent’s own user', () => {
    // The fixture runs as nobody, with a world-writable /dev/net/tun (Debian's default) in a
    // mount namespace of its own: what an agent started by an ordinary user gets.
    const mnt = mkdtempSync(join(tmpdir(), 'bp-tun-'));
    const fixture = join(import.meta.dirname, 'fixtures', 'sandbox-probe.ts');
    const script = [
      'set -e',
      `mount -t tmpfs -o mode=0755 tmpfs ${mnt}`,
      `mknod -m 0666 ${mnt}/tun c 10 200`,
      `mount --bind ${mnt}/tun /dev/net/tun`,
      `exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp ${process.execPath} --import tsx ${fixture}`,
    ].join('\n');
    try {
      const r = spawnSync('unshare', ['--mount', 'sh', '-c', script], {
        cwd: join(import.meta.dirname, '..', '..'),
        encoding: 'utf8',
        timeout: 120_000,
      });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
      expect(line, `the fixture said: ${r.stderr.slice(-800)}`).toBeTruthy();
      const seen = JSON.parse(line as string);
      expect(seen.agentUid).toBe(65534);
      expect(seen.identity).toEqual({ uid: 65534, gid: 65534, own: false });
      // on the host the processes are the agent's user; inside, the browser is not root
      expect(seen.browserUids).toEqual([65534, 65534, 65534, 65534]);
      expect(seen.xvfbUids).toEqual([65534, 65534, 65534, 65534]);
      expect(seen.idInside).not.toBe('0');
      expect(seen.browserCmdline).not.toContain('--no-sandbox');
      expect(seen.root).toEqual(
        [seen.dataDirName, 'bin', 'dev', 'etc', 'lib', 'lib64', 'proc', 'sbin', 'tmp', 'usr', 'var']
          .filter((v, i, a) => a.indexOf(v) === i)
          .sort(),
      );
      expect(seen.sessionDir).toEqual(['Xauthority', 'downloads', 'home', 'profile', 'uploads']);
      expect(seen.dataDir).toBe('sessions');
      expect(seen.shadow).not.toBe(0);
      expect(seen.writesProfile).toBe('ok');
      expect(seen.writesUsr).not.toBe(0);
      expect(seen.routes).toMatch(/^default via 169\.254\.1\.1 /m);
      expect(seen.routes).toContain('prohibit 10.0.0.0/8');
      expect(seen.allowedPort).toBe(true);
      expect(seen.otherPort).toBe(false);
      expect(seen.fileNavigation).toBe('net::ERR_BLOCKED_BY_ADMINISTRATOR');
      expect(seen.collected).toBe('collected');
    } finally {
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
