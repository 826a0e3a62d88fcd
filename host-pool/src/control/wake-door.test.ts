import { randomUUID } from 'node:crypto';
import { HOST_WAKE_AUDIENCE, HOST_WAKE_PATH } from '@browserpane/protocol';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { TicketVerifier } from '../relay/tickets.ts';
import { wakeDoor } from './wake-door.ts';

const ISSUER = 'http://edge.test';
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe('the host’s wake-up door (POST /host/wake)', () => {
  let edgeKey: Key;
  let strangerKey: Key;
  let verifier: TicketVerifier;

  beforeAll(async () => {
    const edge = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    edgeKey = edge.privateKey;
    strangerKey = (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey;
    verifier = new TicketVerifier({
      jwksUrl: `${ISSUER}/jwks`,
      issuer: ISSUER,
      audience: 'browserpane-relay',
      hostId: () => 'h1',
      keySet: createLocalJWKSet({
        keys: [{ ...(await exportJWK(edge.publicKey)), kid: 'k', alg: 'EdDSA' }],
      }),
    });
  });

  const token = (
    key: Key,
    claims: JWTPayload = {},
    { audience = HOST_WAKE_AUDIENCE, ttl = '30s' } = {},
  ) =>
    new SignJWT({ hid: 'h1', jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k' })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(ttl)
      .sign(key);

  /** Knocks with `authorization`; says what the door answered and whether the host woke. */
  async function knock(authorization?: string, method = 'POST') {
    let woken = 0;
    const door = wakeDoor(
      (t) => verifier.verifyWake(t),
      () => woken++,
      silentLogger,
    );
    const res = await door({
      method,
      path: HOST_WAKE_PATH,
      query: new URLSearchParams(),
      headers: authorization ? { authorization } : {},
      secure: false,
    });
    const body = JSON.parse(String(res?.body)) as { error?: { message: string } };
    return { status: res?.status, woken, message: body.error?.message };
  }

  it('wakes the host for a token the edge signed for it', async () => {
    expect(await knock(`Bearer ${await token(edgeKey)}`)).toEqual({
      status: 202,
      woken: 1,
      message: undefined,
    });
  });

  it('obeys a token once: a replay is refused and wakes nothing', async () => {
    const once = await token(edgeKey);
    expect(await knock(`Bearer ${once}`)).toMatchObject({ status: 202, woken: 1 });
    expect(await knock(`Bearer ${once}`)).toEqual({
      status: 403,
      woken: 0,
      message: 'wake token refused: replayed',
    });
  });

  it('refuses anyone else, and nothing wakes', async () => {
    expect(await knock()).toMatchObject({ status: 401, woken: 0 });
    expect(await knock('Bearer not-a-token')).toMatchObject({ status: 403, woken: 0 });
    const cases: [string, string][] = [
      [await token(strangerKey), 'bad_signature'],
      [await token(edgeKey, { hid: 'h2' }), 'wrong_host'],
      [await token(edgeKey, {}, { audience: 'browserpane-relay' }), 'wrong_audience'],
      [await token(edgeKey, {}, { ttl: '10m' }), 'too_long_lived'],
      [await token(edgeKey, {}, { ttl: '-1m' }), 'expired'],
      [await token(edgeKey, { jti: undefined }), 'malformed'],
    ];
    for (const [t, reason] of cases)
      expect(await knock(`Bearer ${t}`), reason).toEqual({
        status: 403,
        woken: 0,
        message: `wake token refused: ${reason}`,
      });
    expect(await knock(`Bearer ${await token(edgeKey)}`, 'GET')).toMatchObject({
      status: 405,
      woken: 0,
    });
  });

  it('leaves other paths to other handlers', () => {
    const door = wakeDoor(
      async () => {},
      () => {},
      silentLogger,
    );
    const other = { method: 'POST', query: new URLSearchParams(), headers: {}, secure: false };
    expect(door({ ...other, path: '/healthz' })).toBeUndefined();
  });
});
