import { describe, expect, it } from 'vitest';
import type { DesiredSession, SessionOptions } from '../control/edge-client.ts';
import { silentLogger } from '../log.ts';
import type { SessionHub } from '../relay/session-hub.ts';
import type { LiveSession } from './live-session.ts';
import { SessionManager } from './session-manager.ts';

/** A factory whose sessions start when the test says (or fail). */
function controlledFactory() {
  const pending = new Map<
    string,
    { resolve: (l: LiveSession) => void; reject: (e: Error) => void }
  >();
  const hubs = new Map<string, SessionHub>();
  return {
    factory: {
      create: (sessionId: string) =>
        new Promise<LiveSession>((resolve, reject) => pending.set(sessionId, { resolve, reject })),
    },
    start(sessionId: string): SessionHub {
      const hub = { setGrantGeneration() {}, close() {} } as unknown as SessionHub;
      hubs.set(sessionId, hub);
      pending.get(sessionId)?.resolve({ sessionId, hub, stop: async () => {} } as LiveSession);
      return hub;
    },
    fail(sessionId: string): void {
      pending.get(sessionId)?.reject(new Error('chromium did not start'));
    },
  };
}

const running = (id: string): DesiredSession =>
  ({
    session_id: id,
    desired: 'running',
    options: { viewport: { width: 1280, height: 720 } } as SessionOptions,
    grant_generation: 0,
  }) as DesiredSession;

describe('SessionManager.hubWhenReady: connections that arrive while their session starts', () => {
  it('hands a waiting connection the hub the moment the session runs', async () => {
    const f = controlledFactory();
    const sessions = new SessionManager(f.factory, 4, silentLogger);
    const waiting = sessions.hubWhenReady('s1', 5_000);
    sessions.reconcile([running('s1')]);
    const hub = f.start('s1');
    expect(await waiting).toBe(hub);
  });

  it('answers at once when the session failed to start, or after the wait runs out', async () => {
    const f = controlledFactory();
    const sessions = new SessionManager(f.factory, 4, silentLogger);
    sessions.reconcile([running('s2')]);
    const waiting = sessions.hubWhenReady('s2', 60_000);
    const started = Date.now();
    f.fail('s2');
    expect(await waiting).toBeUndefined();
    expect(Date.now() - started, 'ms waited after the failure').toBeLessThan(1_000);
    // a session this host never hears of: the wait ends on time
    expect(await sessions.hubWhenReady('never', 50)).toBeUndefined();
  });

  it('stops waiting when the edge no longer wants the session', async () => {
    const f = controlledFactory();
    const sessions = new SessionManager(f.factory, 4, silentLogger);
    sessions.reconcile([running('s3')]);
    const waiting = sessions.hubWhenReady('s3', 60_000);
    sessions.reconcile([]);
    expect(await waiting).toBeUndefined();
  });

  it('lets at most 64 connections wait host-wide; the next is answered at once', async () => {
    const f = controlledFactory();
    const sessions = new SessionManager(f.factory, 4, silentLogger);
    sessions.reconcile([running('s4')]);
    const waits = Array.from({ length: 64 }, () => sessions.hubWhenReady('s4', 60_000));
    expect(await sessions.hubWhenReady('s4', 60_000)).toBeUndefined();
    const hub = f.start('s4');
    expect(new Set(await Promise.all(waits))).toEqual(new Set([hub]));
  });
});
