import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS_PER_HEARTBEAT, EventOutbox } from './event-outbox.ts';
import { HostIdentityFile } from './host-identity.ts';

const event = (n: number) => ({ session_id: 's', type: `e${n}`, at: new Date(n).toISOString() });

describe('event outbox', () => {
  it('sends a failed heartbeat’s events again with the next one, in order', () => {
    const box = new EventOutbox();
    box.add([event(1), event(2)]);
    expect(box.batch().map((e) => e.type)).toEqual(['e1', 'e2']);
    box.failed();
    box.add([event(3)]);
    expect(box.batch().map((e) => e.type)).toEqual(['e1', 'e2', 'e3']);
    box.sent();
    expect(box.size).toBe(0);
    expect(box.batch()).toEqual([]);
  });

  it('keeps events that arrive while a heartbeat is in flight', () => {
    const box = new EventOutbox();
    box.add([event(1)]);
    box.batch();
    box.add([event(2)]);
    box.sent();
    expect(box.batch().map((e) => e.type)).toEqual(['e2']);
  });

  it('sends at most one heartbeat’s worth at a time, and drops the oldest beyond its capacity', () => {
    const box = new EventOutbox(2 * EVENTS_PER_HEARTBEAT);
    box.add(Array.from({ length: 2 * EVENTS_PER_HEARTBEAT + 5 }, (_, i) => event(i)));
    expect(box.dropped).toBe(5);
    const first = box.batch();
    expect(first).toHaveLength(EVENTS_PER_HEARTBEAT);
    expect(first[0]?.type).toBe('e5');
    // While a batch is in flight, overflow drops what comes after it, never the batch itself.
    box.add([event(9999)]);
    expect(box.batch()[0]?.type).toBe('e5');
    box.sent();
    expect(box.size).toBe(EVENTS_PER_HEARTBEAT);
  });
});

describe('host identity file', () => {
  it('keeps the enrolment for its name only, readable by the agent alone', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bp-id-')), 'agent', 'identity.json');
    const file = new HostIdentityFile(path);
    expect(file.read('h1')).toBeUndefined();
    file.write({ name: 'h1', hostId: 'id-1', credential: 'bph_secret' });
    expect(new HostIdentityFile(path).read('h1')).toEqual({
      name: 'h1',
      hostId: 'id-1',
      credential: 'bph_secret',
    });
    expect(file.read('h2')).toBeUndefined();
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(statSync(join(path, '..')).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8')).credential).toBe('bph_secret');
  });
});
