/**
 * A test worker around the lean wire client (src/db/pg-wire.ts), so its tests run it under
 * workerd on real sockets: POST / with `{ url, text, params }` answers `{ rows }` or
 * `{ error: { name, code, message } }` (status 500).
 */
import { PgWireError, queryOnce, wireConfig } from '../../src/db/pg-wire.ts';

export default {
  async fetch(request: Request): Promise<Response> {
    const { url, text, params } = (await request.json()) as {
      url: string;
      text: string;
      params?: (string | null)[];
    };
    const cfg = wireConfig(url);
    if (!cfg) return Response.json({ unsupported: true });
    try {
      return Response.json({ rows: await queryOnce(cfg, text, params ?? []) });
    } catch (error) {
      const e = error as Error;
      return Response.json(
        {
          error: {
            name: e.name,
            code: error instanceof PgWireError ? error.code : undefined,
            message: e.message,
          },
        },
        { status: 500 },
      );
    }
  },
};
