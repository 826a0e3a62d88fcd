/**
 * Capabilities a client asks for in `clientHello` and the server grants in `serverHello`
 * (bit i of the u32 set = CAPABILITY_NAMES[i]). Append only: never reorder or reuse a bit.
 */
export const CAPABILITY_NAMES = [
  'input',
  'clipboard',
  'fileUpload',
  'fileDownload',
  'audioOut',
  'microphone',
  'camera',
  'resize',
  'video',
  'tileCache',
  'copyRect',
  'cursor',
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** Bit value of each capability. */
export const CAP = Object.fromEntries(CAPABILITY_NAMES.map((name, i) => [name, 1 << i])) as Record<
  CapabilityName,
  number
>;

/** Every capability this version knows. */
export const ALL_CAPABILITIES = CAPABILITY_NAMES.reduce((mask, name) => mask | CAP[name], 0);

export function hasCapability(mask: number, name: CapabilityName): boolean {
  return (mask & CAP[name]) !== 0;
}

export function capabilityMask(names: Iterable<CapabilityName>): number {
  let mask = 0;
  for (const name of names) mask |= CAP[name];
  return mask >>> 0;
}

export function capabilityList(mask: number): CapabilityName[] {
  return CAPABILITY_NAMES.filter((name) => (mask & CAP[name]) !== 0);
}

/** Participant roles, as carried on the wire and in connect tickets. */
export const ROLES = { owner: 1, viewer: 2, automation: 3, recorder: 4 } as const;
export type Role = keyof typeof ROLES;

/** The protocol versions this build speaks. */
export const PROTOCOL_VERSION = 1;
export const MIN_PROTOCOL_VERSION = 1;
