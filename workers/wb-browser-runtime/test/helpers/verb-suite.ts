// Shared setup of the verb suites: one local-vendor sidecar against the test site, with an
// artifacts directory and a relay, and helpers to read a slice's outcome.

import { afterAll, beforeAll, expect } from 'vitest';
import { byType, type Frame, last, Sidecar } from './sidecar.ts';
import { type Site, startSite } from './site.ts';
import { tempDir } from './tmp.ts';

export interface VerbSuite {
  /** The test site (set once `beforeAll` ran). */
  readonly site: Site;
  readonly artifactsPath: string;
  /** The sidecar process (its `lines`, …). */
  readonly sidecar: Sidecar;
  /** Runs one slice of `verbs` in the suite's session; resolves with its frames. */
  run(verbs: unknown[]): Promise<Frame[]>;
}

/** Registers the suite's beforeAll/afterAll; call at the top of a test file. */
export function verbSuite(): VerbSuite {
  let site: Site | undefined;
  let sidecar: Sidecar | undefined;
  const artifacts = tempDir();
  beforeAll(async () => {
    site = await startSite();
    sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'local',
      WB_ARTIFACTS_DIR: artifacts.path,
      PARACORD_RELAY_API_KEY: 'relay-key',
      PARACORD_RELAY_URL: `${site.url}/relay`,
    });
    await sidecar.hello();
  });
  afterAll(async () => {
    await sidecar?.shutdown();
    await site?.close();
    artifacts.remove();
  });
  return {
    get site() {
      if (!site) throw new Error('the verb suite has not started');
      return site;
    },
    artifactsPath: artifacts.path,
    get sidecar() {
      if (!sidecar) throw new Error('the verb suite has not started');
      return sidecar;
    },
    run: (verbs) => {
      if (!sidecar) throw new Error('the verb suite has not started');
      return sidecar.slice({ session: 'verbs', verbs });
    },
  };
}

/** The slice completed; returns its `verb.complete` frames. */
export function completes(frames: Frame[]): Frame[] {
  expect(last(frames).type, JSON.stringify(frames)).toBe('slice.complete');
  return byType(frames, 'verb.complete');
}

/** The first failed verb and the slice's last frame. */
export function failure(frames: Frame[]): { verb: Frame; slice: Frame } {
  const verb = byType(frames, 'verb.failed')[0] as Frame;
  expect(verb, JSON.stringify(frames)).toBeDefined();
  return { verb, slice: last(frames) };
}
