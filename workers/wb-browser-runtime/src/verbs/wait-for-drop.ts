// Polls a Google Drive folder (through the Paracord relay) until files land in it.

import { sanitizeName } from '../artifacts/paths.ts';
import { writeFileAtomic } from '../artifacts/write.ts';
import { isRecord } from '../protocol/input.ts';
import { parseDuration } from '../util/duration.ts';
import { optionalString, requireString } from './args.ts';
import type { VerbArgs, VerbContext, VerbDefinition } from './types.ts';

const FOLDER = /^https:\/\/drive\.google\.com\/drive\/(?:u\/\d+\/)?folders\/([A-Za-z0-9_-]+)/;
const DURATION = /^\d+\s*[smh]?$/i;
const MIN_POLL_MS = 2_000;
const MAX_TIMEOUT_MS = 4 * 3_600_000;

interface DriveFile {
  id?: string;
  name?: string;
  mimeType?: string;
  modifiedTime?: string;
  size?: string;
}

/** number = seconds; string `^\d+\s*[smh]?$` (unitless = seconds); invalid → throws. */
function seconds(args: VerbArgs, key: string, fallbackMs: number): number {
  const raw = args[key];
  if (raw === undefined || raw === null) return fallbackMs;
  if (typeof raw === 'string' && !DURATION.test(raw.trim())) {
    throw new Error(
      `wait_for_drop: invalid ${key} ${JSON.stringify(raw)} (use e.g. 30, "30s", "5m", "1h")`,
    );
  }
  const ms = parseDuration(raw, 's');
  if (ms === null) throw new Error(`wait_for_drop: invalid ${key} ${JSON.stringify(raw)}`);
  return ms;
}

/** Full-name glob match with `*` and `?`. */
export function globMatch(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(name);
}

export const waitForDrop: VerbDefinition = {
  name: 'wait_for_drop',
  primaryKey: 'folder_url',
  async run(args, ctx) {
    const { apiKey, url: relay } = ctx.config.relay;
    if (!apiKey || !relay) {
      throw new Error('wait_for_drop: PARACORD_RELAY_API_KEY and PARACORD_RELAY_URL must be set');
    }
    const folderUrl = requireString(args, 'folder_url', 'wait_for_drop');
    const folderId = FOLDER.exec(folderUrl)?.[1];
    if (!folderId) {
      throw new Error(
        `wait_for_drop: folder_url must look like https://drive.google.com/drive/folders/<id> (got ${folderUrl})`,
      );
    }
    const expect = optionalString(args, 'expect') ?? 'at_least_one_file';
    if (expect !== 'at_least_one_file' && expect !== 'filename_matches') {
      throw new Error(
        `wait_for_drop: expect must be at_least_one_file or filename_matches (got ${expect})`,
      );
    }
    const pattern = optionalString(args, 'filename_pattern') ?? null;
    if (expect === 'filename_matches' && !pattern) {
      throw new Error('wait_for_drop: expect=filename_matches needs filename_pattern');
    }
    const pollMs = Math.max(MIN_POLL_MS, seconds(args, 'poll_every', 10_000));
    const timeoutMs = Math.min(MAX_TIMEOUT_MS, seconds(args, 'timeout', 30 * 60_000));
    const bind = sanitizeName(
      optionalString(args, 'bind_artifact') || 'dropped_files',
      'dropped_files',
    );
    ctx.emit({
      type: 'slice.drop_waiting',
      verb: 'wait_for_drop',
      verb_index: ctx.index,
      folder_url: folderUrl,
      message: optionalString(args, 'message') || 'Waiting for files to land in the Drive folder',
      expect,
      filename_pattern: pattern,
      poll_every_ms: pollMs,
      timeout_ms: timeoutMs,
    });
    const query = new URLSearchParams({
      q: `'${folderId}' in parents and trashed = false`,
      fields: 'files(id,name,mimeType,modifiedTime,size)',
    });
    const endpoint = `${relay.replace(/\/+$/, '')}/google_drive/drive/v3/files?${query}`;
    const deadline = Date.now() + timeoutMs;
    for (let poll = 1; ; poll++) {
      const matched = await pollOnce(endpoint, apiKey, poll, expect, pattern, ctx);
      if (matched) return finish(matched, poll, bind, ctx);
      if (Date.now() + pollMs > deadline) {
        const what = pattern ? `matching "${pattern}"` : 'in the folder';
        throw new Error(
          `wait_for_drop: timed out after ${Math.round(timeoutMs / 1000)}s and ${poll} poll(s) — no files ${what}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  },
};

async function pollOnce(
  endpoint: string,
  apiKey: string,
  poll: number,
  expect: string,
  pattern: string | null,
  ctx: VerbContext,
): Promise<DriveFile[] | null> {
  try {
    const response = await fetch(endpoint, {
      headers: { Authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as unknown;
    const files = isRecord(body) && Array.isArray(body.files) ? (body.files as DriveFile[]) : [];
    const hits =
      expect === 'filename_matches'
        ? files.filter(
            (file) => typeof file.name === 'string' && globMatch(pattern as string, file.name),
          )
        : files;
    const matched = hits.length > 0;
    ctx.emit({
      type: 'slice.drop_poll',
      verb_index: ctx.index,
      poll,
      file_count: files.length,
      matched,
    });
    return matched ? hits : null;
  } catch (error) {
    ctx.emit({
      type: 'slice.drop_poll',
      verb_index: ctx.index,
      poll,
      error: (error as Error).message,
    });
    return null;
  }
}

async function finish(
  files: DriveFile[],
  polls: number,
  bind: string,
  ctx: VerbContext,
): Promise<string> {
  const count = `${files.length} ${files.length === 1 ? 'file' : 'files'}`;
  const base = `wait_for_drop: matched after ${polls} poll(s) (${count})`;
  const dir = ctx.config.artifactsDir;
  if (!dir) {
    ctx.output.text(
      `wait_for_drop: $WB_ARTIFACTS_DIR is not set; ${count} matched, ${bind}.json not written`,
    );
    return base;
  }
  await writeFileAtomic(dir, `${bind}.json`, JSON.stringify({ files }, null, 2));
  return `${base} → ${bind}.json`;
}
