/**
 * @module
 * The BrowserPane edge worker: Hono control plane (`fetch`), the periodic sweep (`scheduled`:
 * idle stops, lost hosts, placement, cleanup) and the JOBS queue consumer (`queue`).
 */
import { z } from 'zod';
import { buildApp } from './app.ts';
import { config } from './config.ts';
import { closeDatabase, databaseUrl, openDatabase } from './db/client.ts';
import type { Env } from './env.ts';
import { createLogger } from './log.ts';
import { artifactStore } from './services/artifacts/index.ts';
import { type Job, runSweep } from './services/jobs.ts';

const log = createLogger('jobs');

// workerd forbids code generation (`new Function`): zod validates without its JIT.
z.config({ jitless: true });

export const app = buildApp();

async function sweepOnce(env: Env, trigger: string): Promise<void> {
  const db = openDatabase(databaseUrl(env));
  try {
    const cfg = config(env);
    let store: ReturnType<typeof artifactStore> = null;
    try {
      store = artifactStore(env);
    } catch (err) {
      log.warn('no artifact store for the sweep', { err: String(err) });
    }
    await runSweep(db, new Date(), cfg, store, trigger);
  } finally {
    await closeDatabase(db).catch(() => {});
  }
}

export default {
  fetch: app.fetch,

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(sweepOnce(env, `cron ${controller.cron}`));
  },

  async queue(batch, env) {
    let swept = false;
    for (const message of batch.messages) {
      if (message.body?.type === 'sweep') {
        if (!swept) await sweepOnce(env, 'queue');
        swept = true;
      } else {
        log.warn('unknown job ignored', { id: message.id });
      }
      message.ack();
    }
  },
} satisfies ExportedHandler<Env, Job>;
