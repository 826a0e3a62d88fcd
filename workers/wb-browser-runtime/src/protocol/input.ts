// stdin: one JSON object per line. Malformed input is logged and ignored, never fatal.

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from './log.ts';

export interface HelloMessage {
  type: 'hello';
  wb_version?: unknown;
  protocol?: unknown;
}

export interface RestoreState {
  verb_index?: unknown;
  session?: unknown;
}

export interface SliceMessage {
  type: 'slice';
  session: string;
  verbs: unknown[];
  profile: string | null;
  block_index: number | null;
  restore: { state: RestoreState | null; signal: unknown } | null;
}

/** The starter's answer to a `download.fetch` frame: a local path, or none (`path` null). */
export interface DownloadFileMessage {
  type: 'download.file';
  id: number;
  path: string | null;
  error: string | null;
}

export type InboundMessage =
  | HelloMessage
  | SliceMessage
  | DownloadFileMessage
  | { type: 'shutdown' }
  | { type: 'suspend' };

const PREVIEW = 80;

/** Classifies one input line; returns null (after logging) when it is to be ignored. */
export function parseLine(raw: string, logger: Logger): InboundMessage | null {
  const line = raw.trim();
  if (line === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    logger.warn(`ignoring non-JSON input: ${line.slice(0, PREVIEW)}`);
    return null;
  }
  const type = isRecord(value) ? value.type : undefined;
  switch (type) {
    case 'hello':
      return value as HelloMessage;
    case 'slice':
      return normalizeSlice(value as Record<string, unknown>);
    case 'shutdown':
    case 'suspend':
      return { type };
    case 'download.file': {
      const v = value as Record<string, unknown>;
      if (typeof v.id !== 'number') {
        logger.warn('ignoring download.file without a numeric id');
        return null;
      }
      return {
        type,
        id: v.id,
        path: typeof v.path === 'string' && v.path !== '' ? v.path : null,
        error: typeof v.error === 'string' ? v.error : null,
      };
    }
    default:
      logger.warn(`unknown message type: ${describeType(value, type)}`);
      return null;
  }
}

/** Reads `stream` line by line; `onClose` runs at EOF. */
export function readMessages(
  stream: Readable,
  logger: Logger,
  onMessage: (message: InboundMessage) => void,
  onClose: () => void,
): void {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => {
    const message = parseLine(line, logger);
    if (message) onMessage(message);
  });
  lines.on('close', onClose);
}

function normalizeSlice(raw: Record<string, unknown>): SliceMessage {
  const restore = isRecord(raw.restore) ? raw.restore : null;
  return {
    type: 'slice',
    session: sessionName(raw.session),
    verbs: Array.isArray(raw.verbs) ? raw.verbs : [],
    profile: typeof raw.profile === 'string' && raw.profile !== '' ? raw.profile : null,
    block_index: typeof raw.block_index === 'number' ? raw.block_index : null,
    restore: restore
      ? { state: isRecord(restore.state) ? restore.state : null, signal: restore.signal }
      : null,
  };
}

function sessionName(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return 'default';
}

function describeType(value: unknown, type: unknown): string {
  if (type !== undefined) return String(type);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
