import { ACCESS_FLAG_NAMES, flagMask } from '@browserpane/protocol';
import type { Participant } from './participant.ts';

export type OwnerMode = 'collaborative' | 'exclusive';

/**
 * Who may drive the session. Collaborative (default): every owner controls. Exclusive: the first
 * owner controls; later owners wait (their input is dropped) and the next in line is promoted when
 * the controller leaves. In both modes the first owner alone may resize the display.
 */
export class Ownership {
  private readonly owners: Participant[] = [];

  constructor(readonly mode: OwnerMode) {}

  join(p: Participant): void {
    if (p.role === 'owner') this.owners.push(p);
  }

  /** Returns true when the controller or resize owner changed. */
  leave(p: Participant): boolean {
    const at = this.owners.indexOf(p);
    if (at < 0) return false;
    this.owners.splice(at, 1);
    return at === 0;
  }

  /** The owner that controls (exclusive) and resizes (both modes). */
  get primary(): Participant | undefined {
    return this.owners[0];
  }

  canControl(p: Participant): boolean {
    if (p.role !== 'owner') return false;
    return this.mode === 'collaborative' || this.owners[0] === p;
  }

  canResize(p: Participant): boolean {
    return p.role === 'owner' && this.owners[0] === p;
  }

  access(p: Participant): number {
    return flagMask(ACCESS_FLAG_NAMES, [
      ...(this.canControl(p) ? [] : (['viewOnly'] as const)),
      ...(this.canResize(p) ? (['resizeAllowed'] as const) : []),
      ...(this.mode === 'exclusive' ? (['exclusiveOwnerMode'] as const) : []),
    ]);
  }

  /** The role to show a client for itself: a waiting owner in exclusive mode is a viewer. */
  effectiveRole(p: Participant): Participant['role'] {
    return p.role === 'owner' && !this.canControl(p) ? 'viewer' : p.role;
  }
}
