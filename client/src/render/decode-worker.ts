/// <reference lib="webworker" />
import { type DecodeJob, type DecodeResult, decodeOne } from './decode-pool.ts';
import { warmTileDecoder } from './decode-warmup.ts';

// The tile decode worker: one message per frame, results transferred back. It compiles the
// decoder before its first message (a worker starts ahead of the first picture: prepareDecodeWorker).
warmTileDecoder();

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = (e: MessageEvent<{ id: number; jobs: DecodeJob[] }>) => {
  const results: DecodeResult[] = e.data.jobs.map(decodeOne);
  const transfer = results.flatMap((r) => (r instanceof Uint8ClampedArray ? [r.buffer] : []));
  scope.postMessage({ id: e.data.id, results }, transfer);
};
