/**
 * The relay certificate pin (`cert_sha256`) is optional: a host with a CA-issued certificate
 * reports none (null or absent) and its tickets say `cert_sha256: null`, so clients verify the
 * relay the usual way; a host that rotates its short-lived certificate reports the new hash and
 * tickets minted afterwards carry it. Every request and answer is also checked against OpenAPI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostDriver } from './support/host-driver.ts';
import { loginDevUser } from './support/oidc.ts';
import { type Stack, startStack } from './support/stack.ts';

describe('relay certificate pin in enrolment, heartbeats and tickets', () => {
  let stack: Stack;
  let demo: string;
  let host: HostDriver;
  let sessionId: string;
  const api = () => stack.api;
  const operator = () => stack.edge.secrets.operatorToken;
  const ticketPin = async () => {
    const res = await api().post(`/api/v1/sessions/${sessionId}/access-tokens`, demo, {
      role: 'owner',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toHaveProperty('cert_sha256');
    return res.body.cert_sha256 as string | null;
  };
  const listedPin = async () => {
    const res = await api().get('/api/v1/hosts', operator());
    expect(res.status).toBe(200);
    const row = res.body.hosts.find((h: { host_id: string }) => h.host_id === host.id);
    expect(row).toBeDefined();
    return row.cert_sha256 as string | null;
  };

  beforeAll(async () => {
    stack = await startStack('pglite', { vars: { HOST_HEARTBEAT_INTERVAL_MS: '1000' } });
    demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
  });

  afterAll(async () => {
    await host?.stopKeepAlive();
    await stack?.stop();
  });

  it('enrols a host that reports no pin (field absent) and lists it with cert_sha256 null', async () => {
    host = new HostDriver(api(), 'pin-host-ca', { maxSessions: 2 });
    host.pin = undefined;
    await host.enroll(stack.edge.secrets.hostEnrollmentToken);
    host.keepAlive();
    expect(await listedPin()).toBeNull();
  });

  it('mints tickets with cert_sha256 null for a host without a pin', async () => {
    const created = await api().post('/api/v1/sessions', demo, {});
    expect(created.status).toBe(201);
    expect(created.body.host_id).toBe(host.id);
    sessionId = created.body.id;
    host.run(sessionId);
    await host.beat();
    expect(await ticketPin()).toBeNull();
  });

  it('takes a pin from a heartbeat (lowercased), then a new one after a rotation', async () => {
    const first = 'AB'.repeat(32);
    host.pin = first;
    await host.beat();
    expect(await listedPin()).toBe(first.toLowerCase());
    expect(await ticketPin()).toBe(first.toLowerCase());

    const rotated = '0c'.repeat(32);
    host.pin = rotated;
    await host.beat();
    expect(await ticketPin()).toBe(rotated);
  });

  it('drops the pin again on an explicit null and on an absent field', async () => {
    host.pin = null;
    await host.beat();
    expect(await ticketPin()).toBeNull();
    expect(await listedPin()).toBeNull();

    host.pin = 'ef'.repeat(32);
    await host.beat();
    expect(await ticketPin()).toBe('ef'.repeat(32));
    host.pin = undefined;
    await host.beat();
    expect(await ticketPin()).toBeNull();
  });

  it('accepts an explicit null at enrolment and re-enrolment keeps the host', async () => {
    const again = new HostDriver(api(), 'pin-host-ca', { maxSessions: 2 });
    again.pin = null;
    again.credential = host.credential; // the same agent, so it knows its credential
    const answer = await again.enroll(stack.edge.secrets.hostEnrollmentToken);
    expect(answer.host_id).toBe(host.id);
    // The background heartbeats now need the new credential.
    await host.stopKeepAlive();
    host.credential = again.credential;
    host.pin = null;
    host.keepAlive();
    expect(await listedPin()).toBeNull();
  });

  it('still refuses a malformed pin', async () => {
    for (const bad of ['', 'abc', 'g'.repeat(64), 42]) {
      const res = await api().request('POST', `/api/v1/hosts/${host.id}/heartbeat`, {
        token: host.credential,
        body: { ...host.body(), cert_sha256: bad },
        unchecked: true,
      });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});
