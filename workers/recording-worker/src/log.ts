/** JSON lines on stderr (the host agent forwards them); never a token or a URL with a secret. */
export interface Log {
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
}

export function createLog(module = 'recording-worker'): Log {
  const write = (level: string, msg: string, data?: Record<string, unknown>) =>
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level, module, msg, ...data })}\n`,
    );
  return {
    info: (msg, data) => write('info', msg, data),
    warn: (msg, data) => write('warn', msg, data),
  };
}
