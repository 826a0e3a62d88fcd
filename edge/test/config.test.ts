import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from '../local/build.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('wrangler.toml', () => {
  const config = unstable_readConfig({ config: join(ROOT, 'wrangler.toml') });

  it('declares the bindings the worker expects', () => {
    expect(config.main).toBe(join(ROOT, 'edge', 'src', 'index.ts'));
    expect(config.hyperdrive.map((h: { binding: string }) => h.binding)).toEqual(['DB']);
    expect(config.hyperdrive[0]?.localConnectionString).toMatch(/^postgres:\/\//);
    expect(config.r2_buckets.map((b: { binding: string }) => b.binding)).toEqual(['ARTIFACTS']);
    expect(config.queues.producers?.map((q: { binding: string }) => q.binding)).toEqual(['JOBS']);
    expect(config.queues.consumers?.map((q: { queue: string }) => q.queue)).toEqual([
      'browserpane-jobs',
    ]);
    expect(config.triggers.crons).toEqual(['* * * * *']);
    expect(config.compatibility_date).toBe(COMPATIBILITY_DATE);
    expect(config.compatibility_flags).toEqual(COMPATIBILITY_FLAGS);
    expect(config.vars).toMatchObject({ HOST_LOST_AFTER_MS: '15000', DEV_OIDC: '0' });
  });

  it('commits no secrets, and .dev.vars.example names every one of them', () => {
    const secrets = [
      'TICKET_SIGNING_KEY',
      'CREDENTIALS_KEK',
      'HOST_ENROLLMENT_TOKEN',
      'OPERATOR_TOKEN',
      'DEV_OIDC_SIGNING_KEY',
      'DEV_OIDC_CLIENT_SECRETS',
    ];
    for (const name of secrets) expect(Object.keys(config.vars)).not.toContain(name);
    const example = readFileSync(join(ROOT, '.dev.vars.example'), 'utf8');
    for (const name of [...secrets, 'TICKET_SIGNING_KEY_PREVIOUS', 'OIDC_ISSUER'])
      expect(example).toContain(name);
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.dev.vars');
  });

  it('builds with wrangler itself (dry run)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bp-wrangler-'));
    try {
      const result = await new Promise<{ code: number; output: string }>((resolve) =>
        execFile(
          join(ROOT, 'node_modules', '.bin', 'wrangler'),
          ['deploy', '--config', join(ROOT, 'wrangler.toml'), '--dry-run', '--outdir', out],
          { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' } },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
        ),
      );
      expect(result.code, result.output.slice(-2000)).toBe(0);
      expect(readdirSync(out)).toContain('index.js');
      expect(readdirSync(out).some((f) => f.endsWith('browserpane-control-v1.yaml'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
