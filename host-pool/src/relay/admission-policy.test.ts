import { CAP } from '@browserpane/protocol';
import { describe, expect, it } from 'vitest';
import { AdmissionPolicy, DEFAULT_ROLE_LIMITS, RECEIVE_ONLY } from './admission-policy.ts';

describe('admission policy: grant generations', () => {
  it('a newer generation revokes automation grants and share tickets, never the owner’s own', () => {
    const policy = new AdmissionPolicy();
    const old = { grantGeneration: 0 };
    expect(policy.advance(1)).toBe(true);
    expect(policy.revoked({ ...old, role: 'automation' })).toBe(true);
    expect(policy.revoked({ ...old, role: 'viewer', shared: true })).toBe(true);
    expect(policy.revoked({ ...old, role: 'owner', shared: true })).toBe(true);
    expect(policy.revoked({ ...old, role: 'viewer', shared: false })).toBe(false);
    expect(policy.revoked({ ...old, role: 'owner' })).toBe(false);
    // tickets minted under the current generation stay good
    expect(policy.revoked({ grantGeneration: 1, role: 'viewer', shared: true })).toBe(false);
    expect(policy.advance(1)).toBe(false);
  });
});

describe('admission policy: the recording worker', () => {
  it('has one slot of its own per session, apart from owners and viewers', () => {
    const policy = new AdmissionPolicy();
    expect(DEFAULT_ROLE_LIMITS.recorder).toBe(1);
    expect(policy.hasRoom('recorder', 0)).toBe(true);
    expect(policy.hasRoom('recorder', 1)).toBe(false);
    // a full session of people still has the recorder's slot, and a recorder takes none of theirs
    expect(policy.hasRoom('viewer', DEFAULT_ROLE_LIMITS.viewer - 1)).toBe(true);
  });

  it('never lets a recorder ticket join as a viewer or an owner', () => {
    const policy = new AdmissionPolicy();
    expect(policy.roleFor('recorder', 'recorder')).toBe('recorder');
    expect(policy.roleFor('recorder', 'viewer')).toBeUndefined();
    expect(policy.roleFor('recorder', 'owner')).toBeUndefined();
    // people may still join as less than their ticket
    expect(policy.roleFor('owner', 'viewer')).toBe('viewer');
    expect(policy.roleFor('viewer', 'owner')).toBeUndefined();
  });

  it('grants a recorder the picture, cursor and audio only', () => {
    const policy = new AdmissionPolicy();
    const ceiling = policy.capabilityCeiling('recorder', 'recorder');
    expect(ceiling).toBe(RECEIVE_ONLY);
    for (const cap of [
      'input',
      'clipboard',
      'fileUpload',
      'fileDownload',
      'microphone',
      'camera',
      'resize',
    ] as const)
      expect(ceiling & CAP[cap], cap).toBe(0);
    expect(policy.capabilityCeiling('owner', 'owner') & CAP.input).toBe(CAP.input);
    expect(policy.capabilityCeiling('viewer', 'owner') & CAP.input).toBe(0);
  });
});
