/**
 * Every numeric code a BrowserPane peer can close a connection with, or put in a `reject`,
 * `goodbye` or `notice` message. One table; never reuse a number.
 *
 * 1000–1099 handshake, 1100–1199 malformed input (one per {@link ProtocolError} code),
 * 1200–1299 session control, 1300–1399 in-band notices that do not close the connection.
 */
export const CLOSE_CODES = {
  normal: 0,
  // handshake
  unsupported_version: 1001,
  handshake_required: 1002,
  handshake_timeout: 1003,
  role_not_permitted: 1004,
  session_full: 1005,
  ticket_invalid: 1006,
  session_unavailable: 1007,
  // malformed input (ProtocolError codes)
  frame_too_large: 1101,
  unknown_channel: 1102,
  unknown_tag: 1103,
  truncated: 1104,
  trailing_bytes: 1105,
  bad_utf8: 1106,
  out_of_range: 1107,
  empty_payload: 1108,
  wrong_direction: 1109,
  invalid_value: 1110,
  decoder_failed: 1111,
  // session control
  disconnected_by_operator: 1201,
  session_stopped: 1202,
  session_killed: 1203,
  idle_timeout: 1204,
  slow_consumer: 1205,
  server_shutdown: 1206,
  ticket_expired: 1207,
  runtime_restarting: 1208,
  /** An automation grant was revoked (the session owner removed the delegate). */
  grant_revoked: 1209,
  // notices (in-band, connection stays open)
  capability_denied: 1301,
  clipboard_too_large: 1302,
  file_too_large: 1303,
  file_rejected: 1304,
  resize_not_permitted: 1305,
  camera_unavailable: 1306,
  microphone_unavailable: 1307,
  rate_limited: 1308,
} as const;

export type CloseCodeName = keyof typeof CLOSE_CODES;

const NAMES_BY_CODE = new Map<number, CloseCodeName>(
  (Object.keys(CLOSE_CODES) as CloseCodeName[]).map((name) => [CLOSE_CODES[name], name]),
);

/** The name of a numeric close code, or `undefined` for a number that is not in the table. */
export function closeCodeName(code: number): CloseCodeName | undefined {
  return NAMES_BY_CODE.get(code);
}
