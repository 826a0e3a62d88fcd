import { describe, expect, it } from 'vitest';
import type { SessionRow, SessionState } from '../db/schema/index.ts';
import {
  apiCounts,
  apiState,
  countConnections,
  idleView,
  presenceState,
  resumeMode,
  runningState,
  runtimeState,
  statesFor,
  statesForRuntime,
  stopEligibility,
} from './session-view.ts';

const none = { automationOwnerId: null, mcpOwnerId: null };

describe('session views', () => {
  it('counts connections by role', () => {
    expect(
      countConnections([
        { role: 'owner' },
        { role: 'viewer' },
        { role: 'viewer' },
        { role: 'recorder' },
      ]),
    ).toEqual({
      owner: 1,
      viewer: 2,
      automation: 0,
      recorder: 1,
      total: 4,
    });
  });

  it('derives presence', () => {
    const counts = (roles: ('owner' | 'viewer' | 'automation' | 'recorder')[]) =>
      countConnections(roles.map((role) => ({ role })));
    expect(presenceState({ state: 'active', ...none }, counts(['viewer']))).toBe('connected');
    expect(presenceState({ state: 'ready', ...none }, counts(['automation']))).toBe(
      'automation_owned',
    );
    expect(
      presenceState({ state: 'ready', automationOwnerId: 'bot', mcpOwnerId: null }, counts([])),
    ).toBe('automation_owned');
    expect(presenceState({ state: 'idle', ...none }, counts(['recorder']))).toBe('recording_only');
    // The reference's order: a recorder wins over automation (§15.4).
    expect(
      presenceState(
        { state: 'ready', automationOwnerId: 'bot', mcpOwnerId: null },
        counts(['recorder']),
      ),
    ).toBe('recording_only');
    expect(presenceState({ state: 'idle', ...none }, counts([]))).toBe('idle');
    expect(presenceState({ state: 'ready', ...none }, counts([]))).toBe('empty');
  });

  it('lists stop blockers; recorders do not block', () => {
    expect(stopEligibility(none, countConnections([{ role: 'recorder' }]))).toEqual({
      allowed: true,
      blockers: [],
    });
    expect(
      stopEligibility(
        { automationOwnerId: 'bot', mcpOwnerId: 'bot' },
        countConnections([{ role: 'automation' }]),
      ),
    ).toEqual({
      allowed: false,
      blockers: [{ kind: 'automation_owner', count: 1 }],
    });
  });

  it('derives the reference runtime state and resume mode', () => {
    const row = (state: SessionState, extra: Partial<SessionRow> = {}) => ({
      state,
      runtimeReleasedAt: null,
      lastHostId: null,
      stoppedAt: null,
      ...extra,
    });
    expect(runtimeState(row('runtime_lost'))).toBe('not_started');
    expect(runtimeState(row('failed'))).toBe('stopped');
    expect(runtimeState(row('released'))).toBe('released');
    expect(resumeMode(row('queued'))).toBe('fresh_start');
    expect(resumeMode(row('active'))).toBe('exact_live');
    expect(resumeMode(row('active', { runtimeReleasedAt: new Date() }))).toBe('profile_restart');
    expect(resumeMode(row('queued', { lastHostId: 'h' }))).toBe('profile_restart');
    expect(resumeMode(row('released'))).toBe('released');
    expect(resumeMode(row('stopping'))).toBe('stopped');
    expect(apiState('runtime_lost')).toBe('queued');
    expect(statesFor(['queued', 'pending'])).toEqual(['queued', 'runtime_lost']);
    expect(statesForRuntime(['stopped'])).toEqual(['stopped', 'failed']);
  });

  it('counts clients both ways', () => {
    const counts = countConnections([
      { role: 'owner' },
      { role: 'recorder' },
      { role: 'automation' },
    ]);
    expect(apiCounts(counts, { automationOwnerId: null, mcpOwnerId: 'bot' })).toEqual({
      interactive_clients: 1,
      owner_clients: 1,
      viewer_clients: 0,
      recorder_clients: 1,
      automation_clients: 1,
      total_clients: 2,
      owner: 1,
      viewer: 0,
      automation: 1,
      recorder: 1,
      total: 3,
    });
  });

  it('is active only with people or automation attached', () => {
    expect(runningState(countConnections([{ role: 'recorder' }]), null)).toBe('ready');
    expect(runningState(countConnections([]), new Date())).toBe('idle');
    expect(runningState(countConnections([{ role: 'owner' }]), null)).toBe('active');
  });

  it('computes the idle deadline', () => {
    const since = new Date('2026-01-01T00:00:00Z');
    expect(
      idleView({ idleTimeoutSec: 300, idleSince: since }, new Date('2026-01-01T00:01:00Z')),
    ).toEqual({
      idle_timeout_sec: 300,
      idle_since: '2026-01-01T00:00:00.000Z',
      idle_deadline: '2026-01-01T00:05:00.000Z',
      seconds_until_idle_stop: 240,
    });
    expect(idleView({ idleTimeoutSec: 300, idleSince: null }, since).idle_deadline).toBeNull();
  });
});
