/**
 * How much of a request body the worker reads and throws away when it answers without reading it
 * (`drainRequestBody`, a 413 by declared length): answering while the client is still sending
 * makes the runtime close the connection with unread bytes in it, which resets it, and the client
 * then sees a network error instead of the answer (a 413, a 401 …). Larger bodies are cut at once
 * (Cloudflare itself refuses bodies over 100 MB on most plans; the local front answers them). Only
 * a host's session file upload may be larger (`SESSION_FILE_MAX_BYTES`); that route reads its body.
 * No imports: the local front (`edge/local/http-front.ts`) shares it.
 */
export const DRAIN_LIMIT = 100 * 1024 * 1024;
