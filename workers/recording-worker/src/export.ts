/**
 * One playback export: the session's segments, read from where the edge says (presigned or through
 * the edge), joined in order without re-encoding into one WebM, stored and completed; for `mp4`,
 * that WebM is then transcoded to H.264 (audio copied), its progress logged. An export the worker
 * cannot build fails with the reason (the edge answers it to whoever asked).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkerConfig } from './config.ts';
import { WorkerApi } from './edge/worker-api.ts';
import { transcodeToMp4 } from './encode/mp4-transcode.ts';
import { remuxWebm } from './encode/remux.ts';
import type { Job } from './job.ts';
import type { Log } from './log.ts';

type ExportJob = Extract<Job, { kind: 'export' }>;

export async function buildExport(options: {
  readonly config: WorkerConfig;
  readonly job: ExportJob;
  readonly token: { current: string };
  readonly log: Log;
}): Promise<void> {
  const { config, job, log } = options;
  const api = new WorkerApi(config.edgeUrl, () => options.token.current);
  const dir = join(config.dir, job.session_id, `export-${job.export_id}`);
  await mkdir(dir, { recursive: true });
  try {
    const sources = await api.exportSources();
    const files: string[] = [];
    for (const segment of sources.segments) {
      const path = join(dir, `${String(segment.sequence).padStart(6, '0')}.webm`);
      await writeFile(path, await api.download(segment));
      files.push(path);
    }
    if (files.length === 0) throw new Error('no segment to export');
    const joined = join(dir, 'export.webm');
    let { durationMs } = await remuxWebm(files, joined);
    let out = joined;
    const started = performance.now();
    if (job.format === 'mp4') {
      out = join(dir, 'export.mp4');
      ({ durationMs } = await transcodeToMp4(joined, out, (doneMs, totalMs) =>
        log.info('export progress', {
          exportId: job.export_id,
          percent: Math.min(100, Math.round((doneMs / totalMs) * 100)),
        }),
      ));
    }
    const bytes = await readFile(out);
    await api.upload(
      { artifact: 'export', content_type: job.format === 'mp4' ? 'video/mp4' : 'video/webm' },
      bytes,
    );
    await api.completeExport({ bytes: bytes.byteLength, duration_ms: durationMs });
    log.info('export stored', {
      exportId: job.export_id,
      format: job.format,
      segments: files.length,
      bytes: bytes.byteLength,
      durationMs,
      buildMs: Math.round(performance.now() - started),
    });
  } catch (err) {
    log.warn('export failed', { exportId: job.export_id, error: String(err) });
    await api
      .failExport(`export failed: ${(err as Error).message}`.slice(0, 2000))
      .catch((e) => log.warn('could not report the failure', { error: String(e) }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
