export interface DropZoneOptions {
  /** Whether drops are accepted now (may upload). */
  readonly enabled: () => boolean;
  readonly onFiles: (files: File[]) => void;
  /** A drag with files entered (true) or left (false) the zone. */
  readonly onActive: (active: boolean) => void;
}

/**
 * Accepts files dragged onto the live view: shows the copy cursor while a drag with files is over
 * it (when uploads are allowed), and hands the dropped files over. Drags of anything else, and
 * all drags while uploads are not allowed, are left to the page.
 */
export function attachDropZone(zone: HTMLElement, options: DropZoneOptions): () => void {
  let depth = 0;
  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  const over = (e: DragEvent) => {
    if (!options.enabled() || !hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  };
  const enter = (e: DragEvent) => {
    if (!options.enabled() || !hasFiles(e)) return;
    e.preventDefault();
    if (depth++ === 0) options.onActive(true);
  };
  const leave = (e: DragEvent) => {
    if (!hasFiles(e) || depth === 0) return;
    if (--depth === 0) options.onActive(false);
  };
  const drop = (e: DragEvent) => {
    if (!options.enabled() || !hasFiles(e)) return;
    e.preventDefault();
    if (depth > 0) options.onActive(false);
    depth = 0;
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length > 0) options.onFiles(files);
  };
  zone.addEventListener('dragenter', enter);
  zone.addEventListener('dragover', over);
  zone.addEventListener('dragleave', leave);
  zone.addEventListener('drop', drop);
  return () => {
    zone.removeEventListener('dragenter', enter);
    zone.removeEventListener('dragover', over);
    zone.removeEventListener('dragleave', leave);
    zone.removeEventListener('drop', drop);
  };
}
