import { describe, expect, it } from 'vitest';
import { AdmissionPolicy } from './admission-policy.ts';

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
