/** A statement's result: RowDescription and DataRows decoded into rows keyed by column name. */
import { decoder, int16, int32 } from './bytes.ts';
import { type PgWireError, serverError } from './errors.ts';
import type { Inbox } from './inbox.ts';

export type WireValue = string | number | boolean | null | Record<string, unknown> | unknown[];
export type WireRow = Record<string, WireValue>;

/** Text-format values by type OID: what postgres.js (as the edge configures it) would return. */
function decodeValue(type: number, bytes: Uint8Array): WireValue {
  const text = decoder.decode(bytes);
  switch (type) {
    case 16: // bool
      return text === 't';
    case 21: // int2
    case 23: // int4
    case 26: // oid
    case 700: // float4
    case 701: // float8
      return Number(text);
    case 114: // json
    case 3802: // jsonb
      return JSON.parse(text) as WireValue;
    default: // text, uuid, int8, numeric, timestamps (as text, like drizzle's driver setup), enums, …
      return text;
  }
}

/** Reads the batch's RowDescription / DataRows until ReadyForQuery. */
export async function readResult(inbox: Inbox): Promise<WireRow[]> {
  let names: string[] = [];
  let types: number[] = [];
  const rows: WireRow[] = [];
  let failure: PgWireError | null = null;
  for (;;) {
    if (!inbox.take()) await inbox.next(); // no await when a message is already buffered
    const { type, buf, start } = inbox;
    if (type === 0x44 /* D DataRow */) {
      const row: WireRow = {};
      let at = start + 2;
      const count = int16(buf, start);
      for (let i = 0; i < count; i++) {
        const len = int32(buf, at);
        at += 4;
        if (len < 0) row[names[i] as string] = null;
        else {
          row[names[i] as string] = decodeValue(types[i] as number, buf.subarray(at, at + len));
          at += len;
        }
      }
      rows.push(row);
    } else if (type === 0x54 /* T RowDescription */) {
      const count = int16(buf, start);
      names = [];
      types = [];
      let at = start + 2;
      for (let i = 0; i < count; i++) {
        const end = buf.indexOf(0, at);
        names.push(decoder.decode(buf.subarray(at, end)));
        types.push(int32(buf, end + 7));
        at = end + 19;
      }
    } else if (type === 0x45 /* E */) {
      failure = serverError(inbox.body);
    } else if (type === 0x5a /* Z ReadyForQuery */) {
      if (failure) throw failure;
      return rows;
    }
    // ParseComplete, BindComplete, CommandComplete, NoData, notices: nothing to do.
  }
}
