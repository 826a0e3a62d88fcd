/** The client's in-memory surface, noting which rows each drawing operation changed. */
import { MemorySurface } from '@browserpane/client/render/surface';
import { RowDamage } from './row-damage.ts';

export class DamagedSurface extends MemorySurface {
  readonly damage = new RowDamage();

  override resize(width: number, height: number): void {
    super.resize(width, height);
    this.damage.reset(height);
  }

  override fill(x: number, y: number, w: number, h: number, rgba: number): void {
    super.fill(x, y, w, h, rgba);
    this.damage.mark(y, h);
  }

  override put(x: number, y: number, w: number, h: number, rgba: Uint8ClampedArray): void {
    super.put(x, y, w, h, rgba);
    this.damage.mark(y, h);
  }

  override copy(sx: number, sy: number, w: number, h: number, dx: number, dy: number): void {
    super.copy(sx, sy, w, h, dx, dy);
    this.damage.mark(dy, h);
  }
}
