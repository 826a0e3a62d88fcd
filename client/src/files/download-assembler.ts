/** Why a download was refused on the client side. */
export type AssemblyError =
  | 'unknown_file'
  | 'bad_offset'
  | 'too_many_bytes'
  | 'short'
  | 'too_large';

/** A download being received. */
export interface IncomingFile {
  readonly fileId: number;
  readonly name: string;
  readonly size: number;
  readonly mime: string;
  received: number;
  readonly parts: Uint8Array[];
}

/**
 * Puts downloads back together from `downloadBegin/Chunk/End`, strictly: chunks must continue
 * exactly where the previous one ended and never pass the declared size, and the end must come
 * after exactly `size` bytes. Anything else is an `AssemblyError` and the download is dropped.
 */
export class DownloadAssembler {
  private readonly files = new Map<number, IncomingFile>();

  constructor(private readonly maxBytes = Number.MAX_SAFE_INTEGER) {}

  begin(fileId: number, name: string, size: number, mime: string): IncomingFile {
    if (size > this.maxBytes) throw new AssemblyFailure('too_large');
    const file: IncomingFile = { fileId, name, size, mime, received: 0, parts: [] };
    this.files.set(fileId, file); // a reused id replaces a stale download
    return file;
  }

  chunk(fileId: number, offset: number, data: Uint8Array): IncomingFile {
    const file = this.files.get(fileId);
    if (!file) throw new AssemblyFailure('unknown_file');
    if (offset !== file.received) return this.fail(file, 'bad_offset');
    if (file.received + data.byteLength > file.size) return this.fail(file, 'too_many_bytes');
    // The frame decoder may hand out views of its read buffer: keep a copy.
    file.parts.push(data.slice());
    file.received += data.byteLength;
    return file;
  }

  end(fileId: number): { file: IncomingFile; blob: Blob } {
    const file = this.files.get(fileId);
    if (!file) throw new AssemblyFailure('unknown_file');
    if (file.received !== file.size) return this.fail(file, 'short');
    this.files.delete(fileId);
    return { file, blob: new Blob(file.parts as BlobPart[], { type: file.mime }) };
  }

  /** Drops a download (aborted by either side); returns it if it existed. */
  drop(fileId: number): IncomingFile | undefined {
    const file = this.files.get(fileId);
    this.files.delete(fileId);
    return file;
  }

  get active(): number {
    return this.files.size;
  }

  private fail(file: IncomingFile, code: AssemblyError): never {
    this.files.delete(file.fileId);
    throw new AssemblyFailure(code);
  }
}

export class AssemblyFailure extends Error {
  override readonly name = 'AssemblyFailure';
  constructor(readonly code: AssemblyError) {
    super(code);
  }
}
