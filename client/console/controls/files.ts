import type {
  DownloadedFile,
  FilesApi,
  UploadProgress,
  UploadResult,
} from '../../src/files/files-feature.ts';
import type { BrowserPaneClient, ClientEvent } from '../../src/index.ts';
import { clear, h } from '../dom.ts';

/**
 * The live view's file controls: an Upload button (a file picker; files can also be dropped on
 * the live view) with progress, and a Downloads menu listing what the remote browser downloaded,
 * each with a Save link. Put `element` in the toolbar and call `bind(client)` after every connect.
 */
export class FilesControls {
  readonly element: HTMLElement;
  private readonly uploadButton: HTMLButtonElement;
  private readonly picker: HTMLInputElement;
  private readonly downloadsButton: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly progress: HTMLElement;
  private overlay: HTMLElement | undefined;
  private client: BrowserPaneClient | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly uploading = new Map<number, { name: string; size: number; stored: number }>();

  constructor(private readonly flash: (text: string) => void) {
    this.picker = h<'input'>('input', {
      type: 'file',
      multiple: true,
      hidden: true,
      'data-testid': 'upload-input',
      onchange: () => this.pickerChanged(),
    });
    this.uploadButton = h<'button'>(
      'button.ghost',
      {
        'data-testid': 'upload-file',
        title: 'Send a file to the session (or drop files on the live view)',
        onclick: () => this.picker.click(),
      },
      'Upload',
    );
    this.progress = h('span.metrics', { 'data-testid': 'upload-progress' });
    this.downloadsButton = h<'button'>('button.ghost', {
      'data-testid': 'downloads',
      title: 'Files the remote browser downloaded',
      onclick: () => this.togglePanel(),
    });
    this.panel = h('div', { 'data-testid': 'downloads-panel', hidden: true });
    Object.assign(this.panel.style, {
      position: 'absolute',
      top: '100%',
      right: '0',
      zIndex: '10',
      minWidth: '260px',
      maxHeight: '320px',
      overflow: 'auto',
      background: '#fff',
      color: '#1d1f23',
      border: '1px solid #dde',
      borderRadius: '8px',
      boxShadow: '0 6px 24px rgba(0,0,0,.2)',
      padding: '8px',
      whiteSpace: 'normal',
    });
    this.element = h(
      'span.files-controls',
      {},
      this.picker,
      this.uploadButton,
      this.progress,
      this.downloadsButton,
      this.panel,
    );
    this.element.style.position = 'relative';
    this.render();
  }

  bind(client: BrowserPaneClient): void {
    this.unsubscribe?.();
    this.client = client;
    this.unsubscribe = client.on((e) => this.onEvent(e));
    this.render();
  }

  private api(): FilesApi | undefined {
    return this.client?.feature<FilesApi>('files');
  }

  private pickerChanged(): void {
    const api = this.api();
    const files = [...(this.picker.files ?? [])];
    this.picker.value = '';
    if (!api) return;
    for (const f of files) api.upload(f);
  }

  private onEvent(e: ClientEvent): void {
    if (e.type === 'closed') {
      this.unsubscribe?.();
      this.client = undefined;
      this.uploading.clear();
      this.showDrop(false);
    }
    if (e.type === 'feature' && e.feature === 'files') this.onFilesEvent(e.event, e.detail);
    this.render();
  }

  private onFilesEvent(event: string, detail: unknown): void {
    if (event === 'uploadProgress') {
      const p = detail as UploadProgress;
      this.uploading.set(p.fileId, { name: p.name, size: p.size, stored: p.stored });
    } else if (event === 'uploadStored') {
      const r = detail as UploadResult & { name: string };
      this.uploading.delete(r.fileId);
      this.flash(`${r.storedName} is in the session: the page’s next file chooser gets it`);
    } else if (event === 'uploadFailed') {
      const f = detail as { fileId: number; name: string; code: string };
      this.uploading.delete(f.fileId);
      if (f.code !== 'aborted')
        this.flash(`Upload of ${f.name} failed: ${f.code.replace(/_/g, ' ')}`);
    } else if (event === 'download') {
      const d = detail as DownloadedFile;
      this.flash(`Downloaded ${d.name} (${size(d.size)}): see Downloads`);
    } else if (event === 'downloadFailed') {
      this.flash('A download from the session failed');
    } else if (event === 'dropActive') {
      this.showDrop((detail as { active: boolean }).active);
    }
  }

  private render(): void {
    const api = this.api();
    const can = api?.canUpload() ?? false;
    this.uploadButton.disabled = !can;
    this.uploadButton.title = can
      ? 'Send a file to the session (or drop files on the live view)'
      : 'Only the participant driving the session can upload';
    const items = [...this.uploading.values()];
    this.progress.textContent = items
      .map((u) => `${u.name} ${u.size ? Math.floor((u.stored / u.size) * 100) : 100}%`)
      .join(' · ');
    const downloads = api?.downloads() ?? [];
    this.downloadsButton.textContent = `Downloads${downloads.length ? ` (${downloads.length})` : ''}`;
    // Toolbar room is scarce: the menu appears with the first download.
    this.downloadsButton.hidden = downloads.length === 0;
    this.progress.hidden = items.length === 0;
    if (downloads.length === 0) this.panel.hidden = true;
    clear(this.panel);
    for (const d of [...downloads].reverse()) {
      const save = h(
        'a',
        { href: '#', 'data-testid': 'download-save', onclick: (e: Event) => this.save(e, d) },
        'Save',
      );
      const row = h('div', {}, h('span', { text: `${d.name} · ${size(d.size)} ` }), save);
      row.style.padding = '4px 0';
      this.panel.append(row);
    }
  }

  private save(e: Event, d: DownloadedFile): void {
    e.preventDefault();
    this.api()?.save(d.fileId);
  }

  private togglePanel(): void {
    this.panel.hidden = !this.panel.hidden;
  }

  /** A veil over the live view while files are dragged over it. */
  private showDrop(active: boolean): void {
    const stage = this.client?.canvas.parentElement;
    if (!active || !stage) {
      this.overlay?.remove();
      this.overlay = undefined;
      return;
    }
    if (this.overlay) return;
    this.overlay = h('div', { text: 'Drop to send the files to the session' });
    Object.assign(this.overlay.style, {
      position: 'absolute',
      inset: '0',
      display: 'flex',
      alignItems: 'center',
      justifyContent: 'center',
      background: 'rgba(40, 90, 255, .25)',
      color: '#fff',
      font: '600 20px system-ui, sans-serif',
      pointerEvents: 'none',
      border: '3px dashed #fff',
    });
    stage.append(this.overlay);
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
