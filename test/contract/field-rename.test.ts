import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every consumer builds against the declarations in `@browserpane/api`: renaming a field there
 * breaks the build of each consumer that reads or writes it. A copy of the contract package with
 * one field renamed per consumer stands in for the real one (tsconfig `paths`), and each
 * consumer's own tsconfig is type-checked against it.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const OVERLAY = join(ROOT, 'node_modules', '.cache', 'browserpane-rename-fixture');
const API = join(OVERLAY, 'openapi');

interface Rename {
  consumer: string;
  /** The contract file and the declaration of the field in it. */
  file: string;
  field: string;
  declaration: string;
  /** Where the consumer uses it. */
  usedIn: string;
}

const RENAMES: Rename[] = [
  {
    consumer: 'host-pool/tsconfig.json',
    file: 'src/contract/schemas/hosts.ts',
    field: 'desired',
    declaration: "desired: z.enum(['running', 'stopped', 'killed'])",
    usedIn: 'host-pool/src/',
  },
  {
    consumer: 'workers/mcp-bridge/tsconfig.json',
    file: 'src/contract/schemas/session-status.ts',
    field: 'mcp_owner_principal',
    declaration: 'mcp_owner_principal: PrincipalRef',
    usedIn: 'workers/mcp-bridge/src/',
  },
  {
    consumer: 'workers/wb-browser-runtime/tsconfig.json',
    file: 'src/contract/schemas/session-parts.ts',
    field: 'reason',
    declaration: "reason: z.enum(['pending', 'no_healthy_hosts'",
    usedIn: 'workers/wb-browser-runtime/',
  },
  {
    consumer: 'client/tsconfig.json',
    file: 'src/contract/schemas/session-status.ts',
    field: 'host_connection_id',
    declaration: 'host_connection_id: z.string()',
    usedIn: 'client/console/',
  },
];

function overlay(): void {
  rmSync(OVERLAY, { recursive: true, force: true });
  mkdirSync(OVERLAY, { recursive: true });
  cpSync(join(ROOT, 'openapi', 'src'), join(API, 'src'), { recursive: true });
  for (const r of RENAMES) {
    const path = join(API, r.file);
    const text = readFileSync(path, 'utf8');
    expect(text, `${r.file} declares ${r.field}`).toContain(r.declaration);
    writeFileSync(
      path,
      text.replace(r.declaration, r.declaration.replace(r.field, `${r.field}_renamed`)),
    );
  }
}

function typecheck(consumer: string): string {
  const config = join(OVERLAY, `${consumer.replaceAll('/', '_')}`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, consumer),
      compilerOptions: {
        paths: {
          '@browserpane/api': [join(API, 'src', 'index.ts')],
          '@browserpane/api/contract': [join(API, 'src', 'contract', 'index.ts')],
        },
      },
    }),
  );
  const res = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config, '--pretty', 'false'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return `${res.stdout}${res.stderr}`;
}

describe('a field renamed in the declarations', () => {
  afterAll(() => rmSync(OVERLAY, { recursive: true, force: true }));

  it('breaks the build of every consumer that uses it', () => {
    overlay();
    for (const r of RENAMES) {
      const output = typecheck(r.consumer);
      const errors = output.split('\n').filter((l) => /error TS\d+/.test(l));
      expect(
        errors.length,
        `${r.consumer} still builds with ${r.field} renamed:\n${output}`,
      ).toBeGreaterThan(0);
      expect(
        errors.some((e) => e.startsWith(r.usedIn) && e.includes(r.field)),
        `no error about ${r.field} in ${r.usedIn}:\n${errors.join('\n')}`,
      ).toBe(true);
    }
  }, 600_000);
});
