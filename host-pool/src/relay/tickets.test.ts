import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TicketError, TicketVerifier } from './tickets.ts';
import { FileUsedTickets, MemoryUsedTickets } from './used-tickets.ts';

const ISSUER = 'http://edge.test';

describe('connect tickets on the host', () => {
  let sign: (claims: JWTPayload, ttl?: string) => Promise<string>;
  let keySet: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    keySet = createLocalJWKSet({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'EdDSA' }],
    });
    sign = (claims, ttl = '60s') =>
      new SignJWT({ sid: 's1', hid: 'h1', role: 'owner', caps: [], ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k' })
        .setIssuer(ISSUER)
        .setAudience('browserpane-relay')
        .setSubject('alice')
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime(ttl)
        .sign(privateKey);
  });

  const verifier = (used = new MemoryUsedTickets()) =>
    new TicketVerifier({
      jwksUrl: `${ISSUER}/jwks`,
      issuer: ISSUER,
      audience: 'browserpane-relay',
      hostId: () => 'h1',
      keySet,
      used,
    });
  const reason = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (err: unknown) => (err instanceof TicketError ? err.reason : String(err)),
    );

  it('accepts only roles that are roles: no prototype names', async () => {
    const v = verifier();
    for (const role of ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'admin', ''])
      expect(await reason(v.verify(await sign({ role }), 's1')), role).toBe('malformed');
    for (const role of ['owner', 'viewer', 'automation', 'recorder'])
      expect(await reason(v.verify(await sign({ role }), 's1')), role).toBe('accepted');
  });

  it('reads the grant generation (0 when absent) and refuses a malformed one', async () => {
    const v = verifier();
    expect((await v.verify(await sign({ role: 'automation' }), 's1')).grantGeneration).toBe(0);
    expect((await v.verify(await sign({ role: 'automation', gen: 7 }), 's1')).grantGeneration).toBe(
      7,
    );
    for (const gen of [-1, 1.5, '3', null, 2 ** 60])
      expect(await reason(v.verify(await sign({ gen }), 's1')), String(gen)).toBe('malformed');
  });

  it('marks a share’s ticket (`via: "share"`) so a newer generation revokes it', async () => {
    const v = verifier();
    expect((await v.verify(await sign({ role: 'viewer', via: 'share' }), 's1')).shared).toBe(true);
    expect((await v.verify(await sign({ role: 'viewer' }), 's1')).shared).toBe(false);
    expect((await v.verify(await sign({ role: 'viewer', via: 'other' }), 's1')).shared).toBe(false);
  });

  it('refuses a ticket used before a restart after it: used ids are kept on disk until they expire', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bp-used-')), 'agent', 'used-tickets');
    const token = await sign({});
    const before = verifier(new FileUsedTickets(path));
    expect(await reason(before.verify(token, 's1'))).toBe('accepted');
    expect(await reason(before.verify(token, 's1'))).toBe('replayed');
    // A new agent: a new verifier over the same file.
    const after = verifier(new FileUsedTickets(path));
    expect(await reason(after.verify(token, 's1'))).toBe('replayed');
    expect(await reason(after.verify(await sign({}), 's1'))).toBe('accepted');
  });

  it('forgets expired ids when it reopens, and ignores lines it cannot read', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bp-used-')), 'used-tickets');
    const now = Date.now();
    writeFileSync(
      path,
      `old ${now - 120_000}\nlive ${now + 30_000}\ngarbage\n has spaces ${now}\nnan NaN\n`,
    );
    const store = new FileUsedTickets(path);
    expect(store.size).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(`live ${now + 30_000}\n`);
    expect(store.claim('live', now + 30_000)).toBe(false);
    expect(store.claim('fresh', now + 30_000)).toBe(true);
    expect(store.claim('has space', now + 30_000)).toBe(false);
    expect(readFileSync(path, 'utf8')).toContain('fresh ');
  });

  it('refuses a ticket it cannot record rather than admitting it unrecorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-used-'));
    const store = new FileUsedTickets(join(dir, 'used-tickets'));
    // The file's place becomes a directory: appending fails.
    const { rmSync, mkdirSync } = await import('node:fs');
    rmSync(join(dir, 'used-tickets'));
    mkdirSync(join(dir, 'used-tickets'));
    expect(await reason(verifier(store).verify(await sign({}), 's1'))).toBe(
      'replay_store_unavailable',
    );
  });
});
