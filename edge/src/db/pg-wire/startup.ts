/**
 * The startup exchange: authentication (trust, cleartext, MD5, SCRAM-SHA-256) until ReadyForQuery.
 * The exchange stays one loop with its awaits inline (no async helper per method): it runs on
 * every connection, so once per query.
 */
import { base64, hmac, md5Hex, scramKeys } from './auth-crypto.ts';
import { concat, decoder, encoder, int32 } from './bytes.ts';
import { PgWireError, StartupRejected, serverError } from './errors.ts';
import { Out, passwordMessage } from './frontend-messages.ts';
import type { Inbox } from './inbox.ts';
import type { WireConfig } from './wire-config.ts';

function needPassword(cfg: WireConfig): void {
  if (!cfg.password) {
    throw new PgWireError(
      'the database asks for a password and the connection string has none',
      '28P01',
    );
  }
}

/**
 * Runs the startup exchange (the StartupMessage is already written) until ReadyForQuery.
 * `pipelined`: the statement went with the StartupMessage, so anything but an immediate
 * AuthenticationOk means the attempt must be redone without pipelining.
 */
export async function startUp(
  cfg: WireConfig,
  inbox: Inbox,
  write: (b: Uint8Array) => Promise<void>,
  pipelined: boolean,
): Promise<void> {
  let scram: { nonce: string; firstBare: string; serverSignature?: string } | null = null;
  let exchanged = false;
  let authenticated = false;
  for (;;) {
    if (!inbox.take()) await inbox.next(); // no await when a message is already buffered
    const type = inbox.type;
    if (type === 0x5a /* Z ReadyForQuery */) {
      cfg.pipeline = authenticated && !exchanged;
      return;
    }
    if (type === 0x45 /* E */) {
      if (pipelined && !authenticated) throw new StartupRejected();
      throw serverError(inbox.body);
    }
    if (type !== 0x52 /* R Authentication */) continue; // ParameterStatus, BackendKeyData, notices
    const code = int32(inbox.buf, inbox.start);
    if (code === 0) {
      authenticated = true;
      continue;
    }
    if (pipelined) throw new StartupRejected();
    exchanged = true;
    const body = inbox.body;
    if (code === 3) {
      needPassword(cfg);
      await write(passwordMessage(new Out().cstr(cfg.password).bytes()));
    } else if (code === 5) {
      needPassword(cfg);
      const inner = await md5Hex(encoder.encode(cfg.password + cfg.user));
      const outer = await md5Hex(concat(encoder.encode(inner), body.subarray(4, 8)));
      await write(passwordMessage(new Out().cstr(`md5${outer}`).bytes()));
    } else if (code === 10) {
      const mechanisms = decoder.decode(body.subarray(4)).split('\0');
      if (!mechanisms.includes('SCRAM-SHA-256')) {
        throw new PgWireError(
          `the database offers no supported SASL mechanism (${mechanisms.filter(Boolean).join(', ')})`,
          '28000',
        );
      }
      needPassword(cfg);
      const nonce = base64(crypto.getRandomValues(new Uint8Array(18)));
      const firstBare = `n=*,r=${nonce}`;
      const first = encoder.encode(`n,,${firstBare}`);
      scram = { nonce, firstBare };
      await write(
        passwordMessage(new Out().cstr('SCRAM-SHA-256').i32(first.length).raw(first).bytes()),
      );
    } else if (code === 11 && scram) {
      const serverFirst = decoder.decode(body.subarray(4));
      const attrs = new Map(
        serverFirst.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)] as [string, string]),
      );
      const nonce = attrs.get('r') ?? '';
      const salt = attrs.get('s') ?? '';
      const iterations = Number(attrs.get('i'));
      if (!nonce.startsWith(scram.nonce) || !salt || !(iterations > 0)) {
        throw new PgWireError('malformed SCRAM challenge from the database', 'PROTOCOL');
      }
      const keys = await scramKeys(cfg, salt, iterations);
      const finalNoProof = `c=biws,r=${nonce}`;
      const authMessage = `${scram.firstBare},${serverFirst},${finalNoProof}`;
      const signature = await hmac(keys.storedKey, authMessage);
      const proof = keys.clientKey.map((b, i) => b ^ (signature[i] as number));
      scram.serverSignature = base64(await hmac(keys.serverKey, authMessage));
      await write(passwordMessage(encoder.encode(`${finalNoProof},p=${base64(proof)}`)));
    } else if (code === 12 && scram?.serverSignature) {
      const verifier = decoder
        .decode(body.subarray(4))
        .split(',')
        .find((a) => a.startsWith('v='));
      if (verifier?.slice(2) !== scram.serverSignature) {
        throw new PgWireError('the database failed SCRAM server verification', '28000');
      }
    } else {
      throw new PgWireError(`unsupported database authentication method (${code})`, '28000');
    }
  }
}
