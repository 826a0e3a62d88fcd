import { CLOSE_CODES, type Message, type MessageOf } from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import type { Participant } from '../relay/participant.ts';
import type { SessionHub } from '../relay/session-hub.ts';
import { TransferError } from './errors.ts';
import type { StoredUpload, UploadStore } from './upload-store.ts';

export interface UploadStats {
  begun: number;
  resumed: number;
  stored: number;
  refused: number;
  aborted: number;
}

/**
 * The `file-up` channel of one session: a controlling participant's `uploadBegin/Chunk/End` go
 * into the upload store, progress comes back as `uploadAck`, and anything wrong (bad name,
 * offset, size, unknown id, over a limit) is answered with `uploadAbort` and the protocol's code,
 * counted as refused, and its bytes deleted. A participant that leaves mid-upload can resume.
 */
export class UploadReceiver {
  readonly stats: UploadStats = { begun: 0, resumed: 0, stored: 0, refused: 0, aborted: 0 };
  private readonly offLeave: () => void;
  /** Uploads refused recently: their in-flight chunks are dropped (and counted) without a reply. */
  private readonly refusedIds = new Set<string>();

  constructor(
    hub: SessionHub,
    private readonly store: UploadStore,
    private readonly onStored: (file: StoredUpload, moreComing: boolean) => void,
    private readonly log: Logger,
  ) {
    hub.handle('uploadBegin', (m, p) => this.begin(m as MessageOf<'uploadBegin'>, p));
    hub.handle('uploadChunk', (m, p) => this.chunk(m as MessageOf<'uploadChunk'>, p));
    hub.handle('uploadEnd', (m, p) => this.end(m as MessageOf<'uploadEnd'>, p));
    hub.handle('uploadAbort', (m, p) => this.abort(m as MessageOf<'uploadAbort'>, p));
    this.offLeave = hub.onLeave((p) => store.disconnect(p.id));
  }

  stop(): void {
    this.offLeave();
  }

  private begin(m: MessageOf<'uploadBegin'>, p: Participant): void {
    this.refusedIds.delete(`${p.id}:${m.fileId}`);
    let received: number;
    try {
      received = this.store.begin({
        connection: p.id,
        principal: p.claims.principal,
        fileId: m.fileId,
        name: m.name,
        size: m.size,
        mime: m.mime,
      });
    } catch (err) {
      // Nothing was created for this id; a duplicate id keeps the upload that has it.
      const duplicate = this.store.has(p.id, m.fileId);
      return this.refuse(p, m, err, !duplicate);
    }
    this.stats.begun++;
    if (received > 0) this.stats.resumed++;
    p.peer.send({
      type: 'uploadAck',
      fileId: m.fileId,
      receivedBytes: received,
      state: 'receiving',
      storedName: '',
    });
  }

  private chunk(m: MessageOf<'uploadChunk'>, p: Participant): void {
    if (this.refusedIds.has(`${p.id}:${m.fileId}`)) return p.refuse(m.type);
    let written: Promise<number | undefined>;
    try {
      written = this.store.chunk(p.id, m.fileId, m.offset, m.data);
    } catch (err) {
      return this.refuse(p, m, err, true);
    }
    void written.then((bytes) => {
      if (bytes !== undefined)
        p.peer.send({
          type: 'uploadAck',
          fileId: m.fileId,
          receivedBytes: bytes,
          state: 'receiving',
          storedName: '',
        });
    });
  }

  private end(m: MessageOf<'uploadEnd'>, p: Participant): void {
    void this.store.end(p.id, m.fileId).then(
      (stored) => {
        this.stats.stored++;
        p.peer.send({
          type: 'uploadAck',
          fileId: m.fileId,
          receivedBytes: stored.size,
          state: 'stored',
          storedName: stored.storedName,
        });
        const { active, finishing } = this.store.counts;
        this.onStored(stored, active + finishing > 0);
      },
      (err) => this.refuse(p, m, err, true),
    );
  }

  private abort(m: MessageOf<'uploadAbort'>, p: Participant): void {
    this.stats.aborted++;
    void this.store.abort(p.id, m.fileId);
  }

  private refuse(
    p: Participant,
    m: Message & { fileId: number },
    err: unknown,
    discard: boolean,
  ): void {
    const code = err instanceof TransferError ? err.code : 'file_rejected';
    if (!(err instanceof TransferError)) this.log.warn('upload failed', { err });
    this.stats.refused++;
    p.refuse(m.type);
    p.peer.send({ type: 'uploadAbort', fileId: m.fileId, code: CLOSE_CODES[code] });
    if (!discard) return;
    if (this.refusedIds.size > 1024) this.refusedIds.clear();
    this.refusedIds.add(`${p.id}:${m.fileId}`);
    void this.store.abort(p.id, m.fileId);
  }
}
