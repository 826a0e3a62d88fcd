import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVault, startFakeVault } from '../../../../test/support/fake-vault.ts';
import { AppError } from '../../../errors.ts';
import { Kv2Client } from './kv2.ts';
import { vaultSettings } from './settings.ts';

/** The thin KV v2 client against the loopback stand-in of Vault's documented HTTP API. */
describe('Vault KV v2 client', () => {
  let vault: FakeVault;
  const client = (env: Record<string, string> = {}) =>
    new Kv2Client(
      vaultSettings({ VAULT_ADDR: vault.url, VAULT_TOKEN: vault.token, ...env }) as never,
    );
  const failure = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => null,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  };

  beforeAll(async () => {
    vault = await startFakeVault({ namespace: 'team-a' });
  });
  afterAll(() => vault?.stop());

  it('writes a first version, reads the latest, never overwrites, deletes every version', async () => {
    const kv = client({ VAULT_NAMESPACE: 'team-a' });
    expect(await kv.read('browserpane/credentials/a')).toBeNull();
    expect(await kv.create('browserpane/credentials/a', { value: 's3cret' })).toBe(1);
    expect(await kv.read('browserpane/credentials/a')).toEqual({ value: 's3cret' });
    expect(vault.secrets.get('secret/browserpane/credentials/a')?.length).toBe(1);
    const again = await failure(kv.create('browserpane/credentials/a', { value: 'other' }));
    expect(again.code).toBe('credential_store_unavailable');
    expect(again.message).toMatch(/check-and-set/);
    expect(await kv.read('browserpane/credentials/a')).toEqual({ value: 's3cret' });
    await kv.destroyAll('browserpane/credentials/a');
    expect(vault.secrets.has('secret/browserpane/credentials/a')).toBe(false);
    expect(await kv.read('browserpane/credentials/a')).toBeNull();
    await kv.destroyAll('browserpane/credentials/a');
    expect(vault.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      path: '/v1/secret/metadata/browserpane/credentials/a',
      token: vault.token,
      namespace: 'team-a',
    });
  });

  it('answers a typed error, without the token, for a refused token, a wrong mount and no Vault', async () => {
    const wrong = new Kv2Client(
      vaultSettings({
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: 'hvs.wrong-token',
        VAULT_NAMESPACE: 'team-a',
      }) as never,
    );
    const denied = await failure(wrong.read('x'));
    expect([denied.code, denied.status]).toEqual(['credential_store_forbidden', 503]);
    expect(denied.message).toMatch(/permission denied.*VAULT_TOKEN/);
    expect(denied.message).not.toContain('hvs.wrong-token');
    // No namespace header: this Vault's token lives in team-a.
    expect((await failure(client().read('x'))).code).toBe('credential_store_forbidden');

    const mount = await failure(
      client({ VAULT_NAMESPACE: 'team-a', VAULT_KV_MOUNT: 'kv' }).create('x', { a: 1 }),
    );
    expect(mount.code).toBe('credential_store_unavailable');
    expect(mount.message).toMatch(/no handler for route.*is kv a KV v2 mount/);

    const kv = client({ VAULT_NAMESPACE: 'team-a' });
    await vault.stop();
    try {
      const down = await failure(kv.read('x'));
      expect([down.code, down.status]).toEqual(['credential_store_unavailable', 503]);
      expect(down.message).toMatch(/could not be reached: the connection failed/);
      expect(down.message).not.toContain(vault.token);
    } finally {
      await vault.start();
    }
  });

  it('refuses settings it cannot use', () => {
    expect(vaultSettings({})).toBeNull();
    const bad = (env: Record<string, string>) => {
      try {
        vaultSettings(env);
        return 'accepted';
      } catch (e) {
        return `${(e as AppError).code}: ${(e as AppError).message}`;
      }
    };
    expect(bad({ VAULT_ADDR: 'vault:8200', VAULT_TOKEN: 't' })).toMatch(
      /^config_invalid: .*VAULT_ADDR/,
    );
    expect(bad({ VAULT_ADDR: 'ftp://vault', VAULT_TOKEN: 't' })).toMatch(/^config_invalid/);
    expect(bad({ VAULT_ADDR: 'https://vault' })).toMatch(
      /^credential_store_unavailable: .*VAULT_TOKEN/,
    );
    expect(
      bad({ VAULT_ADDR: 'https://vault', VAULT_TOKEN: 't', VAULT_PATH_PREFIX: 'a/../b' }),
    ).toMatch(/^config_invalid: .*VAULT_PATH_PREFIX/);
    expect(
      vaultSettings({
        VAULT_ADDR: 'https://vault:8200/',
        VAULT_TOKEN: 't',
        VAULT_KV_MOUNT: '/kv/',
      }),
    ).toEqual({
      addr: 'https://vault:8200',
      token: 't',
      mount: 'kv',
      namespace: null,
      prefix: 'browserpane/credentials',
    });
  });
});
