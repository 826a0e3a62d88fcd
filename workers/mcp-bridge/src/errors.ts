/** Stable codes of the bridge's errors (HTTP answers, MCP tool errors, logs). */
export const BRIDGE_ERROR_STATUS = {
  bad_request: 400,
  config_invalid: 500,
  unauthorized: 401,
  forbidden: 403,
  not_delegated: 403,
  session_not_found: 404,
  route_not_found: 404,
  no_control_session: 409,
  session_revoked: 409,
  session_not_running: 409,
  tool_not_allowed: 403,
  edge_auth_failed: 502,
  edge_unavailable: 502,
  playwright_failed: 502,
  internal_error: 500,
} as const;

export type BridgeErrorCode = keyof typeof BRIDGE_ERROR_STATUS;

/** The one error type of the bridge: a stable `code`, a message for people, never a secret. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }

  get status(): number {
    return BRIDGE_ERROR_STATUS[this.code];
  }
}

/** Any thrown value as a BridgeError (unknown errors become `internal_error`). */
export function asBridgeError(error: unknown): BridgeError {
  if (error instanceof BridgeError) return error;
  return new BridgeError('internal_error', (error as Error)?.message ?? String(error), {
    cause: error,
  });
}
