import { describe, expect, it } from 'vitest';
import { ConfigError, parseHostConfig } from '../config.ts';
import { browserPolicy } from './browser-policy.ts';
import { viewArgs } from './filesystem.ts';
import { BLOCKED_NETS, pastaArgs, portSpec } from './network.ts';
import { parseCidrList, parsePortList } from './settings.ts';
import { findSandboxTools } from './tools.ts';

describe('sandbox settings', () => {
  it('reads port lists and ranges, and refuses anything else with the culprit named', () => {
    expect(parsePortList('')).toEqual([]);
    expect(parsePortList(' 8080, 9000-9002,8080 ')).toEqual([8080, 9000, 9001, 9002]);
    for (const bad of ['0', '65536', '90-80', 'http', '1-2000', '80;81'])
      expect(() => parsePortList(bad), bad).toThrow(bad.split(/[,;]/)[0]);
  });

  it('reads IPv4 networks in canonical form and refuses the rest', () => {
    expect(parseCidrList('10.20.30.40/16, 192.0.2.7')).toEqual(['10.20.0.0/16', '192.0.2.7/32']);
    expect(parseCidrList('0.0.0.0/0')).toEqual(['0.0.0.0/0']);
    for (const bad of ['10.0.0.0/33', 'fd00::/8', '10.0.0', 'example.com', '10.0.0.0/x'])
      expect(() => parseCidrList(bad), bad).toThrow(bad);
  });
});

describe('the host agent’s sandbox settings', () => {
  const base = { EDGE_URL: 'http://127.0.0.1:8787', HOST_ENROLLMENT_TOKEN: 'enrolment-token' };

  it('sandboxes by default, and only an explicit off switches it off', () => {
    const on = parseHostConfig(base, []).sandbox;
    expect(on).toEqual({
      enabled: true,
      uidBase: 1_900_000_000,
      allowHostPorts: [],
      allowNets: [],
    });
    expect(parseHostConfig({ ...base, HOST_SANDBOX: 'off' }, []).sandbox.enabled).toBe(false);
    expect(parseHostConfig(base, ['--host-sandbox', 'off']).sandbox.enabled).toBe(false);
    const allowed = parseHostConfig(
      {
        ...base,
        HOST_SANDBOX_ALLOW_PORTS: '8080,9000-9001',
        HOST_SANDBOX_ALLOW_NETS: '10.20.0.0/16',
        HOST_SANDBOX_UID_BASE: '300000',
      },
      [],
    ).sandbox;
    expect(allowed).toEqual({
      enabled: true,
      uidBase: 300000,
      allowHostPorts: [8080, 9000, 9001],
      allowNets: ['10.20.0.0/16'],
    });
  });

  it('refuses bad values, naming each', () => {
    const bad = () =>
      parseHostConfig(
        {
          ...base,
          HOST_SANDBOX: 'maybe',
          HOST_SANDBOX_ALLOW_PORTS: '80,http',
          HOST_SANDBOX_ALLOW_NETS: '10.0.0.0/40',
          HOST_SANDBOX_UID_BASE: '12',
        },
        [],
      );
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of [
        'HOST_SANDBOX must be on or off',
        'HOST_SANDBOX_ALLOW_PORTS: "http"',
        'HOST_SANDBOX_ALLOW_NETS: "10.0.0.0/40"',
        'HOST_SANDBOX_UID_BASE must be an integer',
      ])
        expect(problems).toContain(name);
    }
  });
});

describe('pasta', () => {
  it('folds ports into ranges, and says none for none', () => {
    expect(portSpec([])).toBe('none');
    expect(portSpec([9001, 80, 9000, 9002, 443])).toBe('80,443,9000-9002');
  });

  it('forwards only DevTools in and only the allowed ports out, never `auto`', () => {
    const args = pastaArgs({
      root: true,
      ns: { netName: 'bp-7', netPath: '/run/netns/bp-7', userPath: undefined },
      cdp: { hostPort: 41000, nsPort: 9222 },
      allowHostPorts: [5000],
    });
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    expect(after('--tcp-ports')).toBe('127.0.0.1/41000:9222');
    expect(after('--udp-ports')).toBe('none');
    expect(after('--tcp-ns')).toBe('5000');
    expect(after('--udp-ns')).toBe('none');
    expect(args).not.toContain('auto');
    expect(args).toContain('--no-map-gw');
    expect(after('--netns')).toBe('bp-7');
    const nonRoot = pastaArgs({
      root: false,
      ns: { netName: undefined, netPath: '/proc/9/ns/net', userPath: '/proc/9/ns/user' },
      cdp: { hostPort: 41000, nsPort: 9222 },
      allowHostPorts: [],
    });
    expect(nonRoot[nonRoot.indexOf('--userns') + 1]).toBe('/proc/9/ns/user');
    expect(nonRoot[nonRoot.indexOf('--tcp-ns') + 1]).toBe('none');
    expect(nonRoot).not.toContain('--runas');
  });

  it('blocks private, link-local (cloud metadata) and reserved ranges', () => {
    for (const net of ['10.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'])
      expect(BLOCKED_NETS).toContain(net);
  });
});

describe('filesystem view', () => {
  it('binds the system read-only and only the given paths, and ends read-only', () => {
    const args = viewArgs({
      rw: ['/data/sessions/s1/profile'],
      ro: ['/data/sessions/s1/Xauthority'],
      files: [{ source: '/data/sessions/s1/sandbox/passwd', target: '/etc/passwd' }],
      env: { HOME: '/data/sessions/s1/home' },
    });
    const text = args.join(' ');
    expect(text).toContain('--ro-bind /usr /usr');
    expect(text).toContain('--bind /data/sessions/s1/profile /data/sessions/s1/profile');
    expect(text).toContain('--ro-bind /data/sessions/s1/Xauthority /data/sessions/s1/Xauthority');
    expect(text).toContain('--ro-bind /data/sessions/s1/sandbox/passwd /etc/passwd');
    // parents of bound paths exist (searchable) in the otherwise empty view
    expect(text).toContain('--perms 0755 --dir /data --perms 0755 --dir /data/sessions');
    expect(text).toContain('--perms 1777 --tmpfs /tmp');
    expect(text).not.toMatch(/--bind \/ |--ro-bind \/etc \/etc |\/root/);
    expect(text).toMatch(/--remount-ro \/etc --remount-ro \/ --clearenv --setenv HOME/);
  });
});

describe('browser policy', () => {
  it('refuses file:// and chrome:// pages but the new tab, and pins downloads', () => {
    const p = browserPolicy({ downloadDir: '/data/sessions/s1/downloads' });
    expect(p.URLBlocklist).toEqual(expect.arrayContaining(['file://*', 'chrome://*']));
    expect(p.URLAllowlist).toContain('chrome://newtab');
    expect(p.URLAllowlist).not.toContain('chrome://settings');
    expect(p.DownloadDirectory).toBe('/data/sessions/s1/downloads');
    expect(p.PromptForDownloadLocation).toBe(false);
    expect(p.AllowFileSelectionDialogs).toBe(true);
    expect(p.PasswordManagerEnabled, 'the password manager (a secret kept in the profile)').toBe(
      false,
    );
  });
});

describe('sandbox tools', () => {
  it('finds them here, and names the package of each one missing', () => {
    expect(findSandboxTools().bwrap).toMatch(/\/bwrap$/);
    expect(() => findSandboxTools('/nonexistent')).toThrow(
      expect.objectContaining({
        code: 'sandbox_unavailable',
        message: expect.stringMatching(
          /bwrap \(package bubblewrap\).*pasta \(package passt\).*ip \(package iproute2\)/,
        ),
      }),
    );
  });
});
