// The protocol runs in Node, workerd and browsers and uses only what all three share.
// These two declarations stand in for lib.dom / @types/node, which this package must not depend on.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
