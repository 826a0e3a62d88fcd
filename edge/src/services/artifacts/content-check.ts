import { ArtifactStoreError, type PutBody, type PutOptions } from './store.ts';

/** Hex of a digest. */
function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A body as a stream plus its length when known up front. */
export function asStream(body: PutBody): { stream: ReadableStream<Uint8Array>; size?: number } {
  if (body instanceof ReadableStream) return { stream: body };
  const bytes =
    typeof body === 'string'
      ? new TextEncoder().encode(body)
      : body instanceof Uint8Array
        ? body
        : new Uint8Array(body);
  return {
    stream: new ReadableStream({
      start(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes);
        controller.close();
      },
    }),
    size: bytes.byteLength,
  };
}

/**
 * Streams `body` on while counting its bytes and hashing it (workerd's `crypto.DigestStream`), for
 * backends that do not check content themselves. `verdict` settles once the body is consumed:
 * rejects with `content_mismatch` when the length or digest differs from what `options` expect.
 */
export function checkedStream(
  body: ReadableStream<Uint8Array>,
  options: PutOptions,
): { stream: ReadableStream<Uint8Array>; verdict: Promise<{ size: number; sha256: string }> } {
  const digest = new crypto.DigestStream('SHA-256');
  const writer = digest.getWriter();
  let size = 0;
  let settle: (v: { size: number; sha256: string }) => void = () => {};
  let fail: (e: unknown) => void = () => {};
  const verdict = new Promise<{ size: number; sha256: string }>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  verdict.catch(() => {});
  const pass = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      size += chunk.byteLength;
      if (options.size !== undefined && size > options.size) {
        const err = new ArtifactStoreError(
          'content_mismatch',
          'the content is longer than declared',
        );
        fail(err);
        throw err;
      }
      await writer.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      await writer.close();
      const sha256 = hex(await digest.digest);
      if (options.size !== undefined && size !== options.size)
        fail(new ArtifactStoreError('content_mismatch', 'the content is shorter than declared'));
      else if (options.sha256 !== undefined && sha256 !== options.sha256)
        fail(new ArtifactStoreError('content_mismatch', 'the content does not match its SHA-256'));
      else settle({ size, sha256 });
    },
  });
  return { stream: body.pipeThrough(pass), verdict };
}

/** A stream of exactly `size` bytes that workerd sends with a `content-length` (not chunked). */
export function fixedLength(
  stream: ReadableStream<Uint8Array>,
  size: number,
): ReadableStream<Uint8Array> {
  const fixed = new FixedLengthStream(size);
  void stream.pipeTo(fixed.writable).catch(() => {});
  return fixed.readable;
}
