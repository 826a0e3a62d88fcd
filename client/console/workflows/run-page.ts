/**
 * A run on screen: its state and reason, the live log (followed with long polls), its events,
 * output and produced files (downloads), the intervention form while it waits for a person, and
 * the live view of its session (a person opens it to fix things by hand, then resumes).
 */
import type { Api, WorkflowRun } from '@browserpane/api';
import { clear, h } from '../dom.ts';
import { LiveView } from '../live-view.ts';
import { interventionForm } from './intervention-form.ts';
import { clock, jsonBlock, runTitle, statePill, TERMINAL } from './run-format.ts';

export class RunPage {
  private disposed = false;
  private run: WorkflowRun | undefined;
  private live: LiveView | undefined;
  private readonly header = h('div.run-header');
  private readonly intervention = h('div.run-intervention');
  private readonly log = h('pre.run-log', { 'data-testid': 'run-log' });
  private readonly events = h('ol.run-events', { 'data-testid': 'run-events' });
  private readonly output = h('div.run-output', { 'data-testid': 'run-output' });
  private readonly files = h('ul.run-files', { 'data-testid': 'run-files' });
  private readonly liveRoot = h('div.run-live', { 'data-testid': 'run-live' });
  private lastState = '';
  private eventsAfter = 0;

  constructor(
    private readonly api: Api,
    private readonly runId: string,
    root: HTMLElement,
    private readonly onChange: () => void,
  ) {
    clear(root);
    const section = (title: string, ...body: HTMLElement[]) =>
      h('section.run-section', {}, h('h3', { text: title }), ...body);
    root.append(
      h(
        'div.run-page',
        { 'data-testid': 'run-page' },
        this.header,
        this.intervention,
        h(
          'div.run-grid',
          {},
          h('div.run-column', {}, section('Log', this.log), section('Events', this.events)),
          h(
            'div.run-column',
            {},
            section('Output', this.output),
            section('Produced files', this.files),
          ),
        ),
        this.liveRoot,
      ),
    );
    void this.poll();
    void this.followLog();
  }

  dispose(): void {
    this.disposed = true;
    this.live?.dispose();
  }

  private async poll(): Promise<void> {
    while (!this.disposed) {
      try {
        this.show(await this.api.getWorkflowRun({ params: { run_id: this.runId } }));
        await this.loadEvents();
      } catch (e) {
        this.header.replaceChildren(h('p.error', { text: (e as Error).message }));
      }
      if (this.run && TERMINAL.has(this.run.state)) return;
      await new Promise((r) => setTimeout(r, 1500));
    }
  }

  private show(run: WorkflowRun): void {
    this.run = run;
    this.header.replaceChildren(
      h('h2', {}, `Run ${runTitle(run)} `, statePill(run.state)),
      h(
        'p.run-meta',
        { 'data-testid': 'run-meta' },
        [
          run.reason ? `reason ${run.reason}` : null,
          run.state === 'queued' && run.admission
            ? `position ${run.admission.position} in the queue (${run.admission.reason})`
            : null,
          `attempt ${run.attempt}/${run.max_attempts}`,
          `created ${clock(run.created_at)}`,
          run.started_at ? `started ${clock(run.started_at)}` : null,
          run.completed_at ? `ended ${clock(run.completed_at)}` : null,
        ]
          .filter(Boolean)
          .join(' · '),
        ' ',
        h(
          'button.link',
          { onclick: () => this.openLiveView(), 'data-testid': 'run-session-link' },
          `session ${run.session_id.slice(0, 8)}`,
        ),
        ...(TERMINAL.has(run.state)
          ? []
          : [
              ' ',
              h(
                'button.ghost.small',
                { onclick: () => void this.cancel(), 'data-testid': 'run-cancel' },
                'Cancel run',
              ),
            ]),
      ),
      ...(run.error ? [h('p.error', { text: run.error, 'data-testid': 'run-error' })] : []),
    );
    if (run.state !== this.lastState) {
      this.lastState = run.state;
      this.intervention.replaceChildren(
        run.state === 'awaiting_input'
          ? interventionForm(
              this.api,
              run,
              (next) => this.show(next),
              () => this.openLiveView(),
            )
          : '',
      );
      this.onChange();
    }
    this.output.replaceChildren(
      run.output === null || run.output === undefined
        ? h('p.empty', { text: TERMINAL.has(run.state) ? 'No output.' : 'Not yet.' })
        : jsonBlock(run.output),
    );
    this.files.replaceChildren(
      ...(run.produced_files.length === 0
        ? [h('li.empty', { text: 'None yet.' })]
        : run.produced_files.map((f) =>
            h(
              'li',
              {},
              h(
                'button.link',
                {
                  onclick: () => void this.download(f.file_id, f.file_name),
                  'data-file': f.file_name,
                },
                f.file_name,
              ),
              h('span.muted', { text: ` ${f.byte_count} bytes · ${f.media_type ?? ''}` }),
            ),
          )),
    );
  }

  private async loadEvents(): Promise<void> {
    const page = await this.api.getWorkflowRunEvents({
      params: { run_id: this.runId },
      query: { after: this.eventsAfter },
    });
    this.eventsAfter = page.next_after;
    for (const e of page.events)
      this.events.append(
        h(
          'li',
          {},
          h('span.muted', { text: clock(e.created_at) }),
          ' ',
          h('strong', { text: e.event_type.replace('workflow_run.', '') }),
          ` ${e.message}`,
        ),
      );
  }

  private async followLog(): Promise<void> {
    let after = 0;
    while (!this.disposed) {
      try {
        const page = await this.api.getWorkflowRunLogs(
          { params: { run_id: this.runId }, query: { after, wait_sec: 20 } },
          { timeoutMs: 40_000 },
        );
        for (const line of page.logs)
          this.log.append(
            h(`span.log-${line.stream}`, {
              text: `${line.stream === 'stdout' ? '' : `[${line.stream}] `}${line.message}\n`,
            }),
          );
        if (page.logs.length > 0) this.log.scrollTop = this.log.scrollHeight;
        after = page.next_after;
        if (TERMINAL.has(page.run_state) && page.logs.length === 0) return;
      } catch {
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  private openLiveView(): void {
    if (!this.run || this.live) {
      this.liveRoot.scrollIntoView({ behavior: 'smooth' });
      return;
    }
    this.liveRoot.classList.add('open');
    this.live = new LiveView({
      api: this.api,
      sessionId: this.run.session_id,
      role: 'owner',
      root: this.liveRoot,
    });
    this.liveRoot.scrollIntoView({ behavior: 'smooth' });
  }

  private async cancel(): Promise<void> {
    try {
      this.show(await this.api.cancelWorkflowRun({ params: { run_id: this.runId } }));
    } catch (e) {
      this.header.append(h('p.error', { text: (e as Error).message }));
    }
  }

  private async download(fileId: string, name: string): Promise<void> {
    const res = await this.api.getWorkflowRunProducedFileContent({
      params: { run_id: this.runId, file_id: fileId },
    });
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
