/** One line per event on stderr: `[mcp-bridge] level message {fields}`. Never pass secrets. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** A logger writing lines at `level` and above to `write` (default: stderr). */
export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const min = LEVELS.indexOf(level);
  const out =
    (at: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (LEVELS.indexOf(at) < min) return;
      const extra = fields && Object.keys(fields).length ? ` ${safeJson(fields)}` : '';
      write(`[mcp-bridge] ${at} ${message}${extra}`);
    };
  return { debug: out('debug'), info: out('info'), warn: out('warn'), error: out('error') };
}

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.message : v));
  } catch {
    return '{}';
  }
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger('error', () => {});
