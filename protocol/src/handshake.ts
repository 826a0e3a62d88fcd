import { ALL_CAPABILITIES, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from './capabilities.ts';
import { CLOSE_CODES } from './close-codes.ts';
import type { MessageOf } from './spec/index.ts';

export type Negotiation =
  | { readonly ok: true; readonly version: number; readonly capabilities: number }
  | { readonly ok: false; readonly code: number; readonly message: string };

export interface ServerOffer {
  readonly minVersion?: number;
  readonly maxVersion?: number;
  /** Capabilities this server would grant this client (session policy ∩ role ∩ host support). */
  readonly capabilities: number;
}

/**
 * Picks the highest version both sides speak and grants the requested capabilities the server
 * offers. Unknown requested capabilities were already masked off by the decoder.
 */
export function negotiate(hello: MessageOf<'clientHello'>, offer: ServerOffer): Negotiation {
  const serverMin = offer.minVersion ?? MIN_PROTOCOL_VERSION;
  const serverMax = offer.maxVersion ?? PROTOCOL_VERSION;
  const version = Math.min(hello.maxVersion, serverMax);
  if (version < Math.max(hello.minVersion, serverMin)) {
    return {
      ok: false,
      code: CLOSE_CODES.unsupported_version,
      message: `server speaks versions ${serverMin}-${serverMax}`,
    };
  }
  const capabilities = (hello.capabilities & offer.capabilities & ALL_CAPABILITIES) >>> 0;
  return { ok: true, version, capabilities };
}
