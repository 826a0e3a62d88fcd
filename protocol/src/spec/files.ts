import { MAX_FILE_CHUNK_BYTES, MAX_NAME_BYTES } from '../limits.ts';
import { enumOf, str, tail, u16, u32, u53 } from '../wire/fields.ts';
import { channel, message } from './define.ts';

const fileName = str(MAX_NAME_BYTES);
const mime = str(127);

function checkName(name: string): string | undefined {
  if (name.length === 0) return 'file name must not be empty';
  if (name === '.' || name === '..') return 'file name must not be . or ..';
  if (/[/\\\u0000-\u001f\u007f]/.test(name)) return 'file name must be a bare name';
  return undefined;
}

export const fileUpChannel = channel({
  id: 0x05,
  name: 'file-up',
  doc: 'Client → host file uploads: begin, chunks at explicit offsets, end; the host acknowledges progress. Needs `fileUpload`.',
  messages: {
    uploadBegin: message({
      tag: 0x01,
      dir: 'c2s',
      requires: 'fileUpload',
      doc: 'Starts upload `fileId` (chosen by the client, unique while active) of `size` bytes.',
      fields: { fileId: u32, name: fileName, size: u53, mime },
      validate: (v) => checkName(v.name),
    }),
    uploadChunk: message({
      tag: 0x02,
      dir: 'c2s',
      requires: 'fileUpload',
      doc: 'Bytes of upload `fileId` starting at `offset`; chunks arrive in order without gaps.',
      fields: { fileId: u32, offset: u53, data: tail(MAX_FILE_CHUNK_BYTES) },
    }),
    uploadEnd: message({
      tag: 0x03,
      dir: 'c2s',
      requires: 'fileUpload',
      doc: 'All bytes of `fileId` were sent.',
      fields: { fileId: u32 },
    }),
    uploadAbort: message({
      tag: 0x04,
      dir: 'both',
      requires: 'fileUpload',
      doc: 'Either side gives up on `fileId`; `code` is a close code (e.g. file_too_large).',
      fields: { fileId: u32, code: u16 },
    }),
    uploadAck: message({
      tag: 0x05,
      dir: 's2c',
      requires: 'fileUpload',
      doc: 'Host progress for `fileId`: bytes stored so far, and whether the file is complete and where it is offered.',
      fields: {
        fileId: u32,
        receivedBytes: u53,
        state: enumOf({ receiving: 1, stored: 2 }),
        storedName: fileName,
      },
    }),
  },
});

export const fileDownChannel = channel({
  id: 0x06,
  name: 'file-down',
  doc: 'Host → client downloads of files the remote browser saved. Needs `fileDownload`.',
  messages: {
    downloadBegin: message({
      tag: 0x01,
      dir: 's2c',
      requires: 'fileDownload',
      doc: 'Starts download `fileId` (chosen by the host) of `size` bytes.',
      fields: { fileId: u32, name: fileName, size: u53, mime },
      validate: (v) => checkName(v.name),
    }),
    downloadChunk: message({
      tag: 0x02,
      dir: 's2c',
      requires: 'fileDownload',
      doc: 'Bytes of download `fileId` starting at `offset`.',
      fields: { fileId: u32, offset: u53, data: tail(MAX_FILE_CHUNK_BYTES) },
    }),
    downloadEnd: message({
      tag: 0x03,
      dir: 's2c',
      requires: 'fileDownload',
      doc: 'All bytes of `fileId` were sent.',
      fields: { fileId: u32 },
    }),
    downloadAbort: message({
      tag: 0x04,
      dir: 'both',
      requires: 'fileDownload',
      doc: 'Either side gives up on `fileId`.',
      fields: { fileId: u32, code: u16 },
    }),
  },
});
