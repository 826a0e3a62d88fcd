// Outbound frames (sidecar → wb). Frames carry no slice id: wb correlates by order.

export interface ConsoleEntry {
  type: string;
  text: string;
  at: number;
}

export interface SessionTimings {
  allocate_ms: number;
  connect_ms: number;
  page_ready_ms: number;
  total_ms: number;
}

export interface ReadyFrame {
  type: 'ready';
  runtime: string;
  version: string;
  protocol: string;
  min_protocol: string;
  supports: string[];
  features: string[];
}

export interface SessionStartedFrame {
  type: 'slice.session_started';
  session: string;
  session_id: string;
  live_url: string | null;
  vendor: string;
  restored: boolean;
  started_at: string;
  timings: SessionTimings;
}

export interface VerbCompleteFrame {
  type: 'verb.complete';
  verb: string;
  verb_index: number;
  summary: string;
  duration_ms: number;
}

export interface VerbFailedFrame {
  type: 'verb.failed';
  verb: string;
  verb_index: number;
  code: string;
  error: string;
  duration_ms: number;
  screenshot_path: string | null;
  console_tail: ConsoleEntry[];
}

export interface SliceCompleteFrame {
  type: 'slice.complete';
}

export interface SliceFailedFrame {
  type: 'slice.failed';
  code: string;
  error: string;
}

/** Any other `slice.*` frame (artifacts, downloads, drops, recording, paused). */
export interface EventFrame {
  type: `slice.${string}`;
  [field: string]: unknown;
}

/** Asks the starter for a download of the browser (`WB_BROWSER_CDP_DOWNLOADS=host`). */
export interface DownloadFetchFrame {
  type: 'download.fetch';
  id: number;
  name: string;
  since: number;
  timeout_ms: number;
}

export type Frame =
  | DownloadFetchFrame
  | ReadyFrame
  | SessionStartedFrame
  | VerbCompleteFrame
  | VerbFailedFrame
  | SliceCompleteFrame
  | SliceFailedFrame
  | EventFrame;

/** Where verbs and session code send frames. */
export type Emit = (frame: Frame) => void;
