/** Shared pieces of the console's settings pages: headings, tables, forms, error text. */
import { h } from '../dom.ts';

/** An API error as a person reads it (the route prefix of the client's message dropped). */
export function errorText(e: unknown): string {
  return (e as Error).message.replace(/^[A-Z]+ \S+: /, '');
}

export function table(
  testId: string,
  headers: readonly string[],
  rows: readonly Node[][],
): HTMLElement {
  return h(
    'table.versions.settings-table',
    { 'data-testid': testId },
    h('tr', {}, ...headers.map((t) => h('th', { text: t }))),
    ...rows.map((cells) => h('tr', {}, ...cells.map((c) => h('td', {}, c)))),
  );
}

export function field(label: string, control: HTMLElement): HTMLElement {
  return h('label.field', {}, h('span', { text: label }), control);
}

export function input(testId: string, label: string, attrs: Record<string, string> = {}) {
  return h<'input'>('input', { 'data-testid': testId, 'aria-label': label, ...attrs });
}

/** A button that runs `action`, disabled meanwhile; a failure goes to `error`. */
export function action(
  spec: `button${string}`,
  testId: string,
  label: string,
  error: HTMLElement,
  run: () => Promise<unknown>,
): HTMLButtonElement {
  const b: HTMLButtonElement = h<'button'>(spec as 'button', {
    'data-testid': testId,
    onclick: async () => {
      error.textContent = '';
      b.setAttribute('disabled', '');
      try {
        await run();
      } catch (e) {
        error.textContent = errorText(e);
      } finally {
        b.removeAttribute('disabled');
      }
    },
  });
  b.textContent = label;
  return b;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Hands a blob to the person's browser as a download. */
export function saveBlob(blob: Blob, name: string): void {
  const a = h<'a'>('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
