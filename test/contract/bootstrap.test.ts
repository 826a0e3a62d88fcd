/**
 * The launcher behind `npm start`, `npm test` and `npm run bench` (deploy/local/bootstrap.mjs):
 * asking for help answers at once, without the install checks (no npm, no apt, no bash needed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
// A PATH with nothing on it: any installer the launcher tried to run would not be found.
const emptyDir = mkdtempSync(join(tmpdir(), 'bp-empty-path-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

function launcher(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'deploy/local/bootstrap.mjs'), ...args], {
    cwd: root,
    env: { PATH: emptyDir, HOME: emptyDir },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('bootstrap launcher', () => {
  for (const flag of ['--help', '-h']) {
    it(`answers \`npm start -- ${flag}\` with the settings, running no installer`, () => {
      const res = launcher('start', flag);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      for (const name of [
        'DATABASE_URL',
        'BROWSERPANE_PORT',
        'RELAY_PORT',
        'RELAY_PLAIN_PORT',
        'HOST_MAX_SESSIONS',
        'MCP_BRIDGE_PORT',
      ])
        expect(res.stdout).toContain(name);
      expect(res.stdout).not.toContain('[bootstrap]');
    });
  }

  it('prints its usage for an unknown command and fails', () => {
    const res = launcher('nonsense');
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('usage: node deploy/local/bootstrap.mjs <start|test|bench>');
  });
});
