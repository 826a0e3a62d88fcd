/**
 * Renders the wire reference (channels, messages, fields, capabilities, close codes, limits) from
 * the declarations, for the generated part of protocol/README.md.
 */
import {
  allMessages,
  CAPABILITY_NAMES,
  CHANNELS,
  CLOSE_CODES,
  HEADER_BYTES,
  MAX_DATAGRAM_BYTES,
  MAX_PAYLOAD_BYTES,
  ROLES,
} from '../src/index.ts';

export const START = '<!-- generated:start (npm run docs -w protocol) -->';
export const END = '<!-- generated:end -->';

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
const dirText = { c2s: 'client → server', s2c: 'server → client', both: 'both' } as const;

export function renderWireReference(): string {
  const out: string[] = [];
  out.push('## Channels', '', '| id | channel | carries |', '|---|---|---|');
  for (const ch of CHANNELS) out.push(`| ${hex(ch.id)} | \`${ch.name}\` | ${ch.doc} |`);
  out.push('');
  out.push('## Messages', '');
  out.push('Each payload starts with the message tag (u8); fields follow in the order listed.', '');
  for (const ch of CHANNELS) {
    out.push(`### ${ch.name} (${hex(ch.id)})`, '');
    for (const m of allMessages().filter((m) => m.channel === ch.id)) {
      const needs = m.requires ? `; needs \`${m.requires}\`` : '';
      out.push(`#### \`${m.type}\` — tag ${hex(m.tag)}, ${dirText[m.dir]}${needs}`, '', m.doc, '');
      if (m.fields.length === 0) {
        out.push('No fields.', '');
        continue;
      }
      out.push('| field | wire |', '|---|---|');
      for (const [name, field] of m.fields) out.push(`| \`${name}\` | ${field.wire} |`);
      out.push('');
    }
  }
  out.push('## Capabilities', '', '| bit | capability |', '|---|---|');
  CAPABILITY_NAMES.forEach((name, bit) => {
    out.push(`| ${bit} | \`${name}\` |`);
  });
  out.push('', '## Roles', '', '| value | role |', '|---|---|');
  for (const [name, value] of Object.entries(ROLES)) out.push(`| ${value} | \`${name}\` |`);
  out.push('', '## Close codes', '', '| code | name |', '|---|---|');
  for (const [name, code] of Object.entries(CLOSE_CODES)) out.push(`| ${code} | \`${name}\` |`);
  out.push('', '## Limits', '');
  out.push(`- header: ${HEADER_BYTES} bytes; payload ≤ ${MAX_PAYLOAD_BYTES} bytes (16 MiB)`);
  out.push(`- datagram (whole frame) ≤ ${MAX_DATAGRAM_BYTES} bytes`);
  return out.join('\n');
}

/** Replaces the generated section of a README text. */
export function withReference(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error('README has no generated section markers');
  return `${readme.slice(0, start + START.length)}\n\n${renderWireReference()}\n\n${readme.slice(end)}`;
}
