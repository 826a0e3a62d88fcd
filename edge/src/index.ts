/**
 * @module
 * The BrowserPane edge worker: Hono control plane (`fetch`), the periodic sweep (`scheduled`:
 * idle stops, lost hosts, placement, cleanup) and the JOBS queue consumer (`queue`).
 */
import { buildApp } from './app.ts';
import { config } from './config.ts';
import { closeDatabase, openDatabase } from './db/client.ts';
import type { Env } from './env.ts';
import { type Job, sweep } from './services/jobs.ts';

export const app = buildApp();

async function runSweep(env: Env, trigger: string): Promise<void> {
  const db = openDatabase(env.DB.connectionString);
  try {
    const result = await sweep(db, new Date(), config(env));
    console.log(JSON.stringify({ level: 'info', msg: 'sweep', trigger, ...result }));
  } finally {
    await closeDatabase(db).catch(() => {});
  }
}

export default {
  fetch: app.fetch,

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runSweep(env, `cron ${controller.cron}`));
  },

  async queue(batch, env) {
    let swept = false;
    for (const message of batch.messages) {
      if (message.body?.type === 'sweep') {
        if (!swept) await runSweep(env, 'queue');
        swept = true;
      } else {
        console.warn(JSON.stringify({ level: 'warn', msg: 'unknown job ignored', id: message.id }));
      }
      message.ack();
    }
  },
} satisfies ExportedHandler<Env, Job>;
