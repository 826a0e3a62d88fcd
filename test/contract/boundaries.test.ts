import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;`'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] as string,
  );
  const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] as string,
  );
  return [...specs, ...dynamic];
}

/** Where a relative import lands, as a repository path (`edge/src/…`); null for a package. */
function target(file: string, spec: string): string | null {
  return spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : null;
}

/** `package` for `package/sub`, `@scope/package` for `@scope/package/sub`. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

function dependencies(dir: string): Set<string> {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  return new Set(Object.keys(pkg.dependencies ?? {}));
}

/** Every import of the files under `dirs` that `bad` objects to, as `file → spec: why`. */
function offenders(dirs: string[], bad: (file: string, spec: string) => string | null): string[] {
  const out: string[] = [];
  for (const dir of dirs)
    for (const file of sourceFiles(join(root, dir))) {
      if (/\.test\.ts$/.test(file)) continue;
      for (const spec of importsOf(file)) {
        const why = bad(file, spec);
        if (why) out.push(`${relative(root, file)} → ${spec}: ${why}`);
      }
    }
  return out;
}

/** The text without comments (so a comment may name what the code must not do). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('package boundaries', () => {
  it('protocol/src imports nothing outside itself', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'protocol', 'src'))) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) offenders.push(`${relative(root, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('protocol has no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'protocol', 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('the root package.json has no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('capture never imports relay', () => {
    expect(
      offenders(['host-pool/src/capture'], (file, spec) =>
        target(file, spec)?.startsWith('host-pool/src/relay') ? 'capture imports relay' : null,
      ),
    ).toEqual([]);
  });

  it('client is browser-only: no Node modules, only its own files and its dependencies', () => {
    const allowed = dependencies('client');
    expect(
      offenders(['client/src', 'client/console'], (file, spec) => {
        if (spec.startsWith('node:')) return 'a Node module';
        const at = target(file, spec);
        if (at === null) return allowed.has(packageName(spec)) ? null : 'not a client dependency';
        return at.startsWith('client/') ? null : 'outside client/';
      }),
    ).toEqual([]);
  });

  it('@browserpane/api runs anywhere: its client and contract import only zod', () => {
    expect(
      offenders(['openapi/src/client', 'openapi/src/contract'], (file, spec) => {
        const at = target(file, spec);
        if (at === null) return spec === 'zod' ? null : 'not zod';
        return at.startsWith('openapi/src/') ? null : 'outside the package';
      }),
    ).toEqual([]);
  });

  it('the edge worker reads config only from bindings, never process.env', () => {
    const readers = sourceFiles(join(root, 'edge', 'src'))
      .filter((f) => /\bprocess\.env\b/.test(code(f)))
      .map((f) => relative(root, f));
    expect(readers).toEqual([]);
  });

  it('the edge worker imports neither client/, host-pool/ nor its Node launchers', () => {
    const allowed = dependencies('edge');
    expect(
      offenders(['edge/src'], (file, spec) => {
        const at = target(file, spec);
        if (at === null)
          return /^(node|cloudflare):/.test(spec) || allowed.has(packageName(spec))
            ? null
            : 'not an edge dependency';
        return at.startsWith('edge/src/') || at.startsWith('migrations/') ? null : `reaches ${at}`;
      }),
    ).toEqual([]);
  });

  it('consumers use @browserpane/api, never the edge’s internals', () => {
    expect(
      offenders(
        [
          'host-pool/src',
          'client/src',
          'client/console',
          'workers/mcp-bridge/src',
          'workers/wb-browser-runtime/src',
        ],
        (file, spec) => {
          if (spec.startsWith('@browserpane/edge')) return 'the edge package';
          return target(file, spec)?.startsWith('edge/') ? 'edge internals' : null;
        },
      ),
    ).toEqual([]);
  });

  it('every package that calls the edge depends on @browserpane/api', () => {
    for (const dir of ['host-pool', 'client', 'workers/mcp-bridge', 'workers/wb-browser-runtime'])
      expect(dependencies(dir).has('@browserpane/api'), dir).toBe(true);
  });
});
