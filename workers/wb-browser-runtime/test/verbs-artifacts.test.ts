// save, announce_artifact, wait_for_drop and verb dispatch, through the binary.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byType } from './helpers/sidecar.ts';
import { completes, failure, verbSuite } from './helpers/verb-suite.ts';

const suite = verbSuite();
const { run } = suite;

describe('save and announce_artifact', () => {
  it('saves an inline value, the last eval result and auto-named cells', async () => {
    const frames = await suite.sidecar.slice({
      session: 'verbs',
      block_index: 4,
      verbs: [
        { save: { name: 'inline', value: { a: 1 } } },
        { eval: 'return [1, 2, 3]' },
        { save: 'numbers.json' },
        { save: { name: 'nothing', value: null } },
        { eval: 'return 5' },
        { save: {} },
        { save: { name: '../../weird name!', value: 'x' } },
      ],
    });
    const saved = byType(frames, 'slice.artifact_saved');
    expect(saved.map((f) => f.filename)).toEqual([
      'inline.json',
      'numbers.json',
      'nothing.json',
      expect.stringMatching(/^cell-4-[0-9a-f]{8}\.json$/),
      '_.._weird_name_.json',
    ]);
    expect(JSON.parse(readFileSync(join(suite.artifactsPath, 'numbers.json'), 'utf8'))).toEqual([
      1, 2, 3,
    ]);
    expect(readFileSync(join(suite.artifactsPath, 'nothing.json'), 'utf8')).toBe('null');
    expect(saved[0]).toMatchObject({ path: join(suite.artifactsPath, 'inline.json'), bytes: 12 });
    // artifact_saved precedes its verb.complete
    const index = frames.findIndex((f) => f.type === 'slice.artifact_saved');
    expect(frames[index + 1]).toMatchObject({
      type: 'verb.complete',
      verb: 'save',
      summary: '→ inline.json',
    });
  });

  it('a bare save without a prior result fails', async () => {
    const { verb } = failure(await run([{ eval: 'void 0' }, { save: 'empty' }]));
    expect(verb).toMatchObject({
      verb: 'save',
      code: 'INTERNAL_ERROR',
      error: 'save: no value provided and no prior extract/eval result to capture',
    });
  });

  it('announce_artifact writes a meta file', async () => {
    const [done] = completes(
      await run([
        { announce_artifact: { path: 'reports/out.csv', label: 'Report', description: 'Monthly' } },
      ]),
    );
    expect(done?.summary).toBe('→ reports/out.csv (labelled)');
    expect(
      JSON.parse(readFileSync(join(suite.artifactsPath, 'reports/out.csv.meta.json'), 'utf8')),
    ).toEqual({
      label: 'Report',
      description: 'Monthly',
    });
    expect(failure(await run([{ announce_artifact: 'x.csv' }])).verb.error).toBe(
      'announce_artifact: `label` is required',
    );
    expect(
      failure(await run([{ announce_artifact: { path: '../x', label: 'x' } }])).verb.error,
    ).toBe('announce_artifact: path escapes artifacts dir (got ../x)');
  });
});

describe('wait_for_drop', () => {
  it('polls the relay until files land', async () => {
    suite.site.drop = {
      appearsAtPoll: suite.site.relayCalls.length + 2,
      names: ['invoice-7.pdf', 'other.txt'],
    };
    const frames = await run([
      {
        wait_for_drop: {
          folder_url: 'https://drive.google.com/drive/u/0/folders/abc_DEF-123',
          expect: 'filename_matches',
          filename_pattern: 'invoice-*.pdf',
          poll_every: '2s',
          timeout: 20,
        },
      },
    ]);
    const [done] = completes(frames);
    expect(done?.summary).toBe(
      'wait_for_drop: matched after 2 poll(s) (1 file) → dropped_files.json',
    );
    expect(byType(frames, 'slice.drop_waiting')[0]).toMatchObject({
      folder_url: 'https://drive.google.com/drive/u/0/folders/abc_DEF-123',
      expect: 'filename_matches',
      poll_every_ms: 2000,
      timeout_ms: 20000,
    });
    expect(byType(frames, 'slice.drop_poll').map((f) => f.matched)).toEqual([false, true]);
    expect(suite.site.relayCalls.at(-1)).toEqual({
      auth: 'Bearer relay-key',
      q: "'abc_DEF-123' in parents and trashed = false",
    });
    const dropped = JSON.parse(
      readFileSync(join(suite.artifactsPath, 'dropped_files.json'), 'utf8'),
    );
    expect(dropped.files.map((f: { name: string }) => f.name)).toEqual(['invoice-7.pdf']);
  });

  it('times out when nothing lands', async () => {
    suite.site.drop = { appearsAtPoll: Number.POSITIVE_INFINITY, names: [] };
    const frames = await run([
      {
        wait_for_drop: {
          folder_url: 'https://drive.google.com/drive/folders/empty1',
          poll_every: 2,
          timeout: '3s',
        },
      },
    ]);
    expect(byType(frames, 'slice.drop_poll').map((f) => f.file_count)).toEqual([0, 0]);
    expect(byType(frames, 'verb.failed')[0]).toMatchObject({
      code: 'INTERNAL_ERROR',
      error: 'wait_for_drop: timed out after 3s and 2 poll(s) — no files in the folder',
    });
  });

  it('rejects bad folder URLs and durations', async () => {
    expect(
      failure(await run([{ wait_for_drop: 'https://example.com/folder' }])).verb.error,
    ).toMatch(/folder_url must look like/);
    expect(
      failure(
        await run([
          {
            wait_for_drop: {
              folder_url: 'https://drive.google.com/drive/folders/x',
              timeout: 'soon',
            },
          },
        ]),
      ).verb.error,
    ).toMatch(/invalid timeout/);
  });
});

describe('dispatch', () => {
  it('unknown verbs are INTERNAL_ERROR and stop the slice', async () => {
    const frames = await run([{ teleport: 'x' }, { eval: 'return 1' }]);
    const { verb, slice } = failure(frames);
    expect(verb).toMatchObject({
      verb: 'teleport',
      verb_index: 0,
      code: 'INTERNAL_ERROR',
      error: 'unsupported verb: teleport',
    });
    expect(slice).toMatchObject({
      type: 'slice.failed',
      code: 'INTERNAL_ERROR',
      error: 'verb teleport (index 0): unsupported verb: teleport',
    });
    expect(byType(frames, 'verb.complete')).toHaveLength(0);
  });

  it('an empty verb list completes at once', async () => {
    expect((await run([])).map((f) => f.type)).toEqual(['slice.complete']);
  });

  it('failures carry a screenshot and the console tail', async () => {
    const frames = await run([
      { goto: `${suite.site.url}/console` },
      { wait_for: { selector: '#never', timeout: 300 } },
    ]);
    const { verb } = failure(frames);
    expect(String(verb.screenshot_path)).toMatch(/^wb-failure-1-\d+\.png$/);
    expect(existsSync(join(suite.artifactsPath, String(verb.screenshot_path)))).toBe(true);
    const tail = verb.console_tail as { type: string; text: string; at: number }[];
    expect(tail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'log', text: 'hello log' }),
        expect.objectContaining({ type: 'error', text: 'something broke' }),
        expect.objectContaining({ type: 'pageerror', text: 'uncaught boom' }),
      ]),
    );
  });
});
