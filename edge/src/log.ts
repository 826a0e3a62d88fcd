/**
 * The edge's log lines: one JSON object per line, `{ time, level, module, msg, …fields }`, the same
 * shape as the host agent's (host-pool/src/log.ts). The worker writes them with `console`, which
 * workerd, wrangler and Miniflare collect; no Node APIs here. Never pass tokens, credentials or
 * request bodies as fields.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SINK: Record<Level, (line: string) => void> = {
  debug: (line) => console.debug(line),
  info: (line) => console.log(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export function createLogger(module: string): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) =>
    SINK[level](
      JSON.stringify(
        { time: new Date().toISOString(), level, module, msg, ...fields },
        errorReplacer,
      ),
    );
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
