// stderr diagnostics, filtered by WB_LOG_LEVEL (trace < debug < info < warn < error).

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  trace(tag: string, message: string): void;
  debug(tag: string, message: string): void;
  info(tag: string, message: string): void;
  /** `[warn] <message>` */
  warn(message: string): void;
  /** `[error] <message>` */
  error(message: string): void;
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level: LogLevel;
  write?: (line: string) => void;
  /** Applied to every line before it is written (secret scrubbing). */
  scrub?: (text: string) => string;
}

/** Parses WB_LOG_LEVEL; an unknown value falls back to info and yields a one-off warning. */
export function parseLogLevel(raw: string | undefined): { level: LogLevel; warning?: string } {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return { level: 'info' };
  if ((LOG_LEVELS as readonly string[]).includes(value)) return { level: value as LogLevel };
  return {
    level: 'info',
    warning: `WB_LOG_LEVEL=${JSON.stringify(raw)} is not one of ${LOG_LEVELS.join('|')}; using info`,
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const scrub = options.scrub ?? ((text: string) => text);
  const enabled = (level: LogLevel) => LOG_LEVELS.indexOf(level) >= threshold;
  const emit = (level: LogLevel, tag: string, message: string) => {
    if (enabled(level)) write(`${scrub(`[${tag}] ${message}`)}\n`);
  };
  return {
    trace: (tag, message) => emit('trace', tag, message),
    debug: (tag, message) => emit('debug', tag, message),
    info: (tag, message) => emit('info', tag, message),
    warn: (message) => emit('warn', 'warn', message),
    error: (message) => emit('error', 'error', message),
    enabled,
  };
}
