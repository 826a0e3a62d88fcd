import type { Rect } from '../encode/tile-grid.ts';
import type { XConnection } from './x11/connection.ts';
import type { DamageExtension } from './x11/extensions.ts';

/**
 * DAMAGE on the root window at RawRectangles level: every drawing operation on the screen
 * (Chromium's frames, including its child windows) arrives as a rectangle; nothing arrives while
 * the screen is still, so an idle session costs nothing.
 */
export class DamageTracker {
  readonly #conn: XConnection;
  readonly #damage: DamageExtension;
  readonly #id: number;
  readonly #listeners = new Set<(rect: Rect) => void>();
  readonly #off: () => void;

  private constructor(conn: XConnection, damage: DamageExtension) {
    this.#conn = conn;
    this.#damage = damage;
    this.#id = conn.client.AllocID();
    this.#off = conn.onEvent((ev) => {
      if (ev.name !== 'DamageNotify' || ev.damage !== this.#id) return;
      const a = ev.area as { x: number; y: number; w: number; h: number };
      const rect = { x: a.x, y: a.y, width: a.w, height: a.h };
      for (const l of this.#listeners) l(rect);
    });
    damage.Create(this.#id, conn.root, damage.ReportLevel.RawRectangles);
  }

  /** Starts tracking damage of `conn`'s root window. */
  static async create(conn: XConnection): Promise<DamageTracker> {
    const damage = await conn.extension('damage');
    const tracker = new DamageTracker(conn, damage);
    await conn.sync();
    return tracker;
  }

  /** Called with every damaged rectangle (root coordinates, unclipped). */
  onDamage(listener: (rect: Rect) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#off();
    this.#listeners.clear();
    if (!this.#conn.closed) {
      try {
        this.#damage.Destroy(this.#id);
      } catch {
        // connection closing
      }
    }
  }
}
