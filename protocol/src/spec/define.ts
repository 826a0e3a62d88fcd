import type { CapabilityName } from '../capabilities.ts';
import type { Field, FieldValue } from '../wire/fields.ts';

/** Who may send a message: client → server, server → client, or either. */
export type Direction = 'c2s' | 's2c' | 'both';

export type Fields = Record<string, Field<unknown>>;

/** The decoded shape of a message's fields. */
export type FieldsValue<F extends Fields> = { -readonly [K in keyof F]: FieldValue<F[K]> };

export interface MessageSpec<F extends Fields = Fields> {
  readonly tag: number;
  readonly dir: Direction;
  readonly doc: string;
  readonly fields: F;
  /** The granted capability a client needs to send (c2s) or receive (s2c) this message. */
  readonly requires?: CapabilityName;
  /** Cross-field rule checked after decoding and before encoding; returns a reason when broken. */
  // Method syntax on purpose: specs with concrete fields must stay assignable to MessageSpec<Fields>.
  validate?(value: FieldsValue<F>): string | undefined;
}

/** Declares one message. The field order of `fields` is the order on the wire. */
export function message<const F extends Fields>(spec: MessageSpec<F>): MessageSpec<F> {
  const names = Object.keys(spec.fields);
  names.forEach((name, i) => {
    if (spec.fields[name]?.tail && i !== names.length - 1) {
      throw new Error(`field ${name}: a tail field must be the last one`);
    }
  });
  return spec;
}

export interface ChannelSpec<
  M extends Record<string, MessageSpec> = Record<string, MessageSpec>,
  N extends string = string,
> {
  readonly id: number;
  readonly name: N;
  readonly doc: string;
  readonly messages: M;
}

/** Declares one channel and the messages it carries (tags must be unique within it). */
export function channel<const M extends Record<string, MessageSpec>, const N extends string>(
  spec: ChannelSpec<M, N>,
): ChannelSpec<M, N> {
  const seen = new Set<number>();
  for (const [name, m] of Object.entries(spec.messages)) {
    if (m.tag < 1 || m.tag > 0xff) throw new Error(`${spec.name}.${name}: tag out of range`);
    if (seen.has(m.tag)) throw new Error(`${spec.name}.${name}: duplicate tag ${m.tag}`);
    seen.add(m.tag);
  }
  return spec;
}

/** The union of decoded messages of one channel, each tagged with its `type`. */
export type MessagesOf<C extends ChannelSpec<Record<string, MessageSpec>, string>> = {
  [K in keyof C['messages'] & string]: { type: K } & FieldsValue<C['messages'][K]['fields']>;
}[keyof C['messages'] & string];
