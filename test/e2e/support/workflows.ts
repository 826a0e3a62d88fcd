/** Workflow sources and helpers the workflow end-to-end tests share. */
import { createHash } from 'node:crypto';
import type { Api, WorkflowRun } from '@browserpane/api';
import { expect } from 'vitest';

/** The Playwright entrypoint of the login workflow (in a git repository served on loopback). */
export const LOGIN_FLOW = `
export default async ({ page, input, log, files, requestInput }) => {
  await page.goto(input.site + '/login');
  await page.fill('#user', input.user);
  await page.fill('#password', input.password);
  await Promise.all([page.waitForURL('**/otp'), page.click('#go')]);
  log('signed in; waiting for the one-time code');
  const answer = await requestInput({
    kind: 'one_time_code',
    prompt: 'Enter the one-time code sent to your phone',
    schema: { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } } },
  });
  await page.fill('#code', answer.code);
  await Promise.all([page.waitForURL('**/account'), page.click('#verify')]);
  const welcome = await page.textContent('#welcome');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report')]);
  await download.saveAs(files.path('report.csv'));
  files.write('summary.json', JSON.stringify({ welcome }));
  return { welcome };
};
`;

export const SLEEPER = `
export default async ({ page, input, log }) => {
  log('sleeping ' + input.ms + ' ms');
  await page.waitForTimeout(input.ms);
  return { slept: input.ms };
};
`;

export const sha256 = (data: string | Uint8Array) =>
  createHash('sha256').update(data).digest('hex');

export async function waitForState(
  api: Api,
  id: string,
  states: string[],
  timeout = 60_000,
): Promise<WorkflowRun> {
  let last: WorkflowRun | undefined;
  await expect
    .poll(
      async () => {
        last = await api.getWorkflowRun({ params: { run_id: id } });
        return states.includes(last.state)
          ? 'reached'
          : `${last.state} (${last.reason}) ${last.error ?? ''}`;
      },
      { timeout, interval: 250 },
    )
    .toBe('reached');
  return last as WorkflowRun;
}
