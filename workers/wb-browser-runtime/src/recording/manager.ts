// Starts recording for each new session when WB_RECORDING_UPLOAD_URL (+ secret) is configured.

import type { RecordingConfig } from '../config.ts';
import type { Emit } from '../protocol/frames.ts';
import type { Logger } from '../protocol/log.ts';
import type { Session } from '../session/session.ts';
import { RrwebCapture } from './rrweb.ts';
import { VideoCapture } from './screencast.ts';
import { SessionRecording } from './session-recording.ts';

export class RecordingManager {
  readonly #config: RecordingConfig;
  readonly #logger: Logger;
  readonly #scrub: <T>(value: T) => T;

  /** `scrub` removes substituted secrets from the rrweb document before upload. */
  constructor(config: RecordingConfig, logger: Logger, scrub: <T>(value: T) => T) {
    this.#config = config;
    this.#logger = logger;
    this.#scrub = scrub;
  }

  /** Starts the configured kinds; emits `slice.recording.started` if any came up. */
  async start(session: Session, emit: Emit): Promise<SessionRecording | null> {
    const config = this.#config;
    let rrweb: RrwebCapture | null = null;
    let video: VideoCapture | null = null;
    if (config.rrweb) {
      try {
        rrweb = await RrwebCapture.start(session, config, this.#logger);
      } catch (error) {
        this.#logger.warn(`recording: rrweb unavailable: ${(error as Error).message}`);
      }
    }
    if (config.video) {
      try {
        video = await VideoCapture.start(session.page, session.name, config.fps, config.quality);
      } catch (error) {
        this.#logger.warn(`recording: video unavailable: ${(error as Error).message}`);
      }
    }
    const kinds = [...(rrweb ? ['rrweb'] : []), ...(video ? ['video'] : [])];
    if (kinds.length === 0) return null;
    this.#logger.info(
      'recording',
      `${session.name}: recording ${kinds.join(' + ')} (run ${config.runId})`,
    );
    emit({ type: 'slice.recording.started', session: session.name, run_id: config.runId, kinds });
    return new SessionRecording(
      config,
      session.name,
      { rrweb, video },
      emit,
      this.#logger,
      this.#scrub,
    );
  }
}
