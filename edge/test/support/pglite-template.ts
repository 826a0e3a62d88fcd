import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR, migrate } from '../../local/migrate.ts';
import { startPglite } from '../../local/pglite.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const CACHE = join(REPO, 'node_modules', '.cache', 'browserpane-pglite-template');

/** What a migrated data directory depends on: the migrations, the migrator and the packages. */
function templateKey(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(name).update(readFileSync(path));
    }
  };
  walk(MIGRATIONS_DIR);
  hash.update(readFileSync(join(import.meta.dirname, '..', '..', 'local', 'migrate.ts')));
  // PGlite's and the job queue's versions (and every other package's)
  hash.update(readFileSync(join(REPO, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * A fresh PGlite runs initdb in WebAssembly, ≈10 s of CPU on these machines, then the migrations;
 * opening a copy of a migrated data directory takes ≈1 s. The first call of a test run (or after
 * a migration changed) builds such a directory under node_modules/.cache; every call copies it.
 */
async function template(): Promise<string> {
  const dir = join(CACHE, templateKey());
  if (existsSync(dir)) return dir;
  mkdirSync(CACHE, { recursive: true });
  const building = mkdtempSync(join(CACHE, 'building-'));
  try {
    const db = await startPglite({ dataDir: join(building, 'data') });
    try {
      await migrate(db.url, { log: () => {} });
    } finally {
      await db.stop();
    }
    try {
      // The rename publishes the directory whole; a run that built it meanwhile wins the race.
      renameSync(join(building, 'data'), dir);
    } catch (error) {
      if (!existsSync(dir)) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  // Templates of older migration sets (a day untouched) go.
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    if (path !== dir && Date.now() - statSync(path).mtimeMs > 86_400_000)
      rmSync(path, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Fills `dataDir` (which must not exist yet) with a PGlite data directory on which every migration
 * has run: `startPglite({ dataDir })` then opens it, and `migrate()` finds the schema current.
 */
export async function seedMigratedPglite(dataDir: string): Promise<void> {
  if (existsSync(dataDir)) throw new Error(`${dataDir} exists: seed only a new data directory`);
  cpSync(await template(), dataDir, { recursive: true });
}
