export {};

/**
 * The load generator, in its own process so it does not share an event loop with Miniflare's
 * Node-side Hyperdrive proxy (which every database connection of the worker passes through).
 * Gets its job from the parent over IPC and sends back the latencies.
 */
interface Job {
  url: string;
  token: string;
  ids: string[];
  concurrency: number;
  durationMs: number;
  maxRequests: number;
}

const job = await new Promise<Job>((resolve) => process.once('message', (m) => resolve(m as Job)));

async function mint(id: string): Promise<number> {
  const res = await fetch(`${job.url}/api/v1/sessions/${id}/access-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
    body: '{"role":"owner"}',
  });
  await res.arrayBuffer();
  return res.status;
}

const latencies: number[] = [];
let errors = 0;
let n = 0;
const started = performance.now();
const deadline = started + job.durationMs;
await Promise.all(
  Array.from({ length: job.concurrency }, async (_, w) => {
    while (performance.now() < deadline && n < job.maxRequests) {
      const id = job.ids[(n++ + w) % job.ids.length] as string;
      const t0 = performance.now();
      const status = await mint(id);
      latencies.push(performance.now() - t0);
      if (status !== 200) errors++;
    }
  }),
);
process.send?.({ latencies, errors, seconds: (performance.now() - started) / 1000 }, () =>
  process.exit(0),
);
