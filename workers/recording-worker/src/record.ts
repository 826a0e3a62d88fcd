/**
 * One recording segment: attach to the relay as `recorder`, compose the picture, write it to a
 * live WebM, upload what is new every few seconds (parts), report progress (whose answer says when
 * to stop), then close the file, store a seekable copy as the recording's video and complete it.
 * A store that refuses the bytes fails the recording with the store's reason; the session is
 * untouched. The recorder never sends input.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message } from '@browserpane/protocol';
import type { WorkerConfig } from './config.ts';
import { RrwebCapture } from './dom/rrweb-capture.ts';
import { type ProgressReport, WorkerApi, WorkerApiError } from './edge/worker-api.ts';
import { remuxWebm } from './encode/remux.ts';
import { WebmWriter } from './encode/webm-writer.ts';
import type { Job } from './job.ts';
import type { Log } from './log.ts';
import { Compositor } from './picture/compositor.ts';
import { PictureClock } from './picture/picture-clock.ts';
import { RelayLink } from './relay/relay-link.ts';
import { PartUploader } from './upload/part-uploader.ts';

type RecordJob = Extract<Job, { kind: 'record' }>;

export interface RecordOptions {
  readonly config: WorkerConfig;
  readonly job: RecordJob;
  readonly token: { current: string };
  readonly log: Log;
  /** Resolves when the worker is asked to stop (SIGTERM). */
  readonly stopSignal: Promise<void>;
}

const FIRST_PICTURE_TIMEOUT_MS = 20_000;
/**
 * Hold frames of a still picture stop this far behind the worker's estimate of now: a change the
 * host captured earlier but the relay has not delivered yet then still lands after them.
 */
const HOLD_BEHIND_MS = 1000;

function even(n: number): number {
  return Math.max(2, n & ~1);
}

export async function record(options: RecordOptions): Promise<void> {
  const { config, job, log } = options;
  const api = new WorkerApi(config.edgeUrl, () => options.token.current);
  const dir = join(config.dir, job.session_id);
  await mkdir(dir, { recursive: true });
  const livePath = join(dir, `${job.recording_id}.live.webm`);
  const finalPath = join(dir, `${job.recording_id}.webm`);
  try {
    const first = await api.progress({ state: 'recording' });
    if (first.state !== 'starting' && first.state !== 'recording') {
      log.info('nothing to record', { state: first.state });
      if (first.state === 'finalizing')
        await api.fail(job.session_id, job.recording_id, {
          error: 'the recording stopped before the recorder attached; nothing was recorded',
        });
      return;
    }
    const ticket = await api.recorderTicket();
    const { link } = await RelayLink.open(
      {
        relay_url: config.relay?.url ?? ticket.relay_url,
        session_id: ticket.session_id,
        token: ticket.token,
        cert_sha256: config.relay ? config.relay.certSha256 : ticket.cert_sha256,
      },
      { audio: job.include_audio },
    );
    log.info('attached to the relay', { recordingId: job.recording_id });
    const dom = job.rrweb ? await openDomCapture(api, log) : undefined;
    try {
      await runSegment({ ...options, api, link, livePath, finalPath, dom });
    } finally {
      dom?.close();
    }
  } catch (err) {
    const reason =
      err instanceof WorkerApiError && err.code === 'artifact_store_unavailable'
        ? `the artifact store is unavailable: ${err.message}`
        : `recording failed: ${(err as Error).message}`;
    log.warn('recording failed', { recordingId: job.recording_id, error: reason });
    await api
      .fail(job.session_id, job.recording_id, {
        error: reason.slice(0, 2000),
        termination_reason: 'worker_exit',
      })
      .catch((e) => log.warn('could not report the failure', { error: String(e) }));
  } finally {
    await rm(livePath, { force: true });
    await rm(finalPath, { force: true });
  }
}

interface Segment extends RecordOptions {
  readonly api: WorkerApi;
  readonly link: RelayLink;
  readonly livePath: string;
  readonly finalPath: string;
  readonly dom: RrwebCapture | undefined;
}

/**
 * The DOM capture of a recording with `rrweb` on, over the session's CDP gateway with a ticket of
 * its own; none (the video goes on) when the gateway cannot be reached, said in the log.
 */
async function openDomCapture(api: WorkerApi, log: Log): Promise<RrwebCapture | undefined> {
  try {
    const ticket = await api.recorderTicket();
    if (!ticket.cdp_url) throw new Error('the recorder ticket has no cdp_url');
    const capture = await RrwebCapture.open(ticket.cdp_url, log);
    log.info('rrweb capture attached');
    return capture;
  } catch (err) {
    log.warn('rrweb capture unavailable; recording the video only', { error: String(err) });
    return undefined;
  }
}

/** Stores the DOM event log (`dom_events`); its event count, or undefined when it could not. */
async function storeDomEvents(s: Segment): Promise<number | undefined> {
  if (!s.dom) return undefined;
  try {
    const { gz, events, rawBytes } = await s.dom.finish({
      recordingId: s.job.recording_id,
      sessionId: s.job.session_id,
    });
    await s.api.upload({ artifact: 'dom_events', content_type: 'application/gzip' }, gz);
    s.log.info('rrweb events stored', { events, rawBytes, bytes: gz.byteLength });
    return events;
  } catch (err) {
    s.log.warn('rrweb events not stored', { error: String(err) });
    return undefined;
  }
}

async function runSegment(s: Segment): Promise<void> {
  const { config, job, api, link, log } = s;
  const compositor = new Compositor((m) => link.send(m));
  let writer: WebmWriter | undefined;
  let audioFormat: { sampleRate: number; channels: number } | undefined;
  const pendingAudio: Array<{ data: Uint8Array; at: number }> = [];
  let t0 = 0;
  link.listen((m: Message) => {
    if (m.type === 'audioConfig') audioFormat = { sampleRate: m.sampleRate, channels: m.channels };
    else if (m.type === 'audioPacket') {
      const at = performance.now();
      if (writer) writer.writeAudio(m.data, at - t0);
      else if (pendingAudio.length < 500) pendingAudio.push({ data: m.data, at });
    } else compositor.handle(m);
  });

  // The first full picture gives the size of the file.
  const deadline = Date.now() + FIRST_PICTURE_TIMEOUT_MS;
  while (!compositor.ready) {
    if (Date.now() > deadline) throw new Error('the relay sent no picture');
    await Promise.race([new Promise((r) => setTimeout(r, 50)), link.closed]);
    const closed = link.closeInfo;
    if (closed) throw new Error(`the relay closed before the first picture (${closed.reason})`);
  }
  await compositor.idle();
  if (job.include_audio && !audioFormat) audioFormat = { sampleRate: 48_000, channels: 2 };
  writer = await WebmWriter.open({
    path: s.livePath,
    width: even(compositor.width),
    height: even(compositor.height),
    codec: config.codec,
    kbps: config.kbps,
    fps: config.fps,
    audio: job.include_audio ? audioFormat : undefined,
  });
  t0 = performance.now();
  for (const a of pendingAudio.splice(0)) if (a.at >= t0) writer.writeAudio(a.data, a.at - t0);
  const w = writer;
  const clock = new PictureClock(t0, compositor.captureUs);
  let composeMs = 0;
  const picture = (ms: number) => {
    const c0 = performance.now();
    const p = compositor.compose();
    composeMs += performance.now() - c0;
    w.writePicture(p.rgba, p.width, p.height, ms, p.rows);
  };
  picture(0);

  const uploader = new PartUploader(s.livePath, api);
  let stopReason: string | undefined;
  let reportedFinalizing = false;
  let busy = false;
  const frameTimer = setInterval(
    () => {
      if (busy) return;
      if (!compositor.dirty) {
        // a still picture: hold frames up to a little behind now, so a change still in flight
        // from the host (its capture time is earlier than now) lands after them, not on them
        w.holdUntil(clock.estimate(performance.now()) - HOLD_BEHIND_MS);
        return;
      }
      busy = true;
      void compositor
        .idle()
        .then(() => picture(clock.at(performance.now(), compositor.pendingCaptureUs)))
        .catch((err) => {
          stopReason ??= 'worker_exit';
          log.warn('encoding failed', { error: String(err) });
        })
        .finally(() => {
          busy = false;
        });
    },
    Math.round(1000 / config.fps),
  );

  const report = (state: ProgressReport['state']): Promise<void> =>
    api
      .progress({
        state,
        bytes_written: uploader.uploaded,
        duration_ms: Math.round(performance.now() - t0),
        parts: uploader.parts,
        ...(state === 'finalizing' && stopReason ? { termination_reason: stopReason } : {}),
      })
      .then((r) => {
        if (r.state !== 'starting' && r.state !== 'recording') stopReason ??= 'manual_stop';
      });

  const stopped = new Promise<void>((resolve) => {
    const partTimer = setInterval(() => {
      void uploader
        .flush()
        .then(() => {
          if (uploader.error) throw uploader.error;
          return report('recording');
        })
        .catch((err) => {
          if (err instanceof WorkerApiError && err.status === 401) return; // token renewing
          if (uploader.error) {
            clearInterval(partTimer);
            clearInterval(frameTimer);
            resolve();
            return;
          }
          log.warn('progress report failed', { error: String(err) });
        })
        .finally(() => {
          if (stopReason) {
            clearInterval(partTimer);
            resolve();
          }
        });
    }, config.partMs);
    void link.closed.then((info) => {
      stopReason ??= 'client_disconnect';
      log.info('the relay connection ended', { reason: info.reason });
    });
    void s.stopSignal.then(() => {
      stopReason ??= 'worker_exit';
    });
  });
  await stopped;
  clearInterval(frameTimer);
  while (busy) await new Promise((r) => setTimeout(r, 10));
  link.close();
  compositor.close();
  const endMs = clock.end(performance.now());
  if (uploader.error) {
    await writer.close().catch(() => {});
    throw uploader.error;
  }
  if (!reportedFinalizing) {
    reportedFinalizing = true;
    await report('finalizing').catch((err) =>
      log.warn('finalizing report failed', { error: String(err) }),
    );
  }
  picture(endMs);
  await writer.close();
  const domEvents = await storeDomEvents(s);
  // The parts now hold the whole live file (the fallback if anything below fails).
  await uploader.flush();
  if (uploader.error) throw uploader.error;
  const { durationMs, hasAudio } = await remuxWebm([s.livePath], s.finalPath);
  const bytes = await readFile(s.finalPath);
  await api.upload({ artifact: 'video', content_type: 'video/webm' }, bytes);
  await api.complete(job.session_id, job.recording_id, {
    source_path: s.finalPath,
    mime_type: 'video/webm',
    bytes: bytes.byteLength,
    duration_ms: durationMs,
    has_audio: hasAudio && writer.audioPackets > 0,
    ...(domEvents !== undefined ? { dom_event_count: domEvents } : {}),
  });
  log.info('recording stored', {
    recordingId: job.recording_id,
    bytes: bytes.byteLength,
    durationMs,
    frames: writer.frames,
    ...roundedStats(writer.stats),
    composeMs: Math.round(composeMs),
    framesPresented: compositor.stats.framesPresented,
    videoFrames: compositor.stats.videoFrames,
    bytesIn: link.bytesIn,
    parts: uploader.parts,
    via: uploader.via,
  });
}

function roundedStats(stats: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, Math.round(v)]));
}
