import { decodeTile } from './tile-decoder.ts';

/**
 * A 64×64 text-like tile as the host's tile codec sends it (zstd level 3, BGRX): a white page with
 * rows of dark and anti-aliased strokes and a blue link row. Decoding it a few dozen times when a
 * decode worker starts compiles the decoder's hot paths (zstd's Huffman and FSE stages, the BGRX
 * swap) before the first picture arrives: cold, a first full picture's tiles took 20–140 ms to
 * decode in a fresh isolate; warm, about 6 ms.
 */
const SAMPLE_TILE =
  'KLUv/WAAP00rACQl////AH19fSgoKEpKSpycnBcXF3BwcBsbG11dXR4eHlhYWFpaWoSEhIiIiACnp6dISEgAm5ubHBwc' +
  'RkZGLi4uNjY2Tk5OWVlZALi4uIWFhW9vbw8PDzU1NQcHBzExMQCxsbFycnLExMRBQUGjo6OSkpIAOTk5e3t7FBQUCwsL' +
  'V1dXfn5+YWFhQkJCdHR0TU1NxsbGHR0dEhISh4eHAElJSQBjY2MREREfHx86OjotLS2mpqZQUFA4ODhgYGCtra1nZ2dW' +
  'VlYhISGsrKwMDAwBAQEmJia1tbVzc3N4eHhMTEylpaWZmZm8vLwvLy9sbGw0NDRLS0vAwMBDQ0OOjo6KioopKSkQEBDB' +
  'wcGYmJh6enrmMOaWFADmVOZA5rzmM+Z05jLmg+Yk5sYUAOYZ5ljmN+ax5obmf+Y95knmKuaR5hE7FADmCzYUAOZS5gIM' +
  'FADmanXmNeYg5pLmTBQA5q3mn+a75jod5lPmnuap5iPmVubD5i/mXkTmr+aH5nbmrOaw5pwUAOY05m/mOFfmAWwUAOYb' +
  '5neoqKhSUlJra2sAiYmJrq6uxcXFaGhoBAQEAwMDVVVVx8fHoKCgCAgIX19fICAgIiIid3d3KioqAEdHRwUFBVtbW2pq' +
  'arS0tFRUVIuLi729vT4+PisrK76+vgCWlpaRkZFkZGS6uroAJycnREREgoKCoqKij4+PRUVFZmZmQEBANzc3IyMjDg4O' +
  'DQ0Nubm5lZWVMjIyMDAwr6+vFRUVPDw8JCQkhoaGPz8/jY2NpKSkcXFxCgoKn5+fXFxck5OTgg+oEhUrl7Qcwg0MMcYY' +
  'QoT2EgByDEJzDAGLIQjIIARCRqAQEShDBMjIiMgMDSXpSZkN/GFzs8gaxqrUvrONzvlM6HuD+ZzV9wDW9g6h+k7X1fmp' +
  'WJEmuBcjntXl8UszfWDXLM0abe7iPGzP23JyiYE3Brq+ovYAoZY1infhSjeqXTIDRH2FytgkcsDVcxsOtVPPvgars2AN' +
  'aX0H6N+Va8cnSuFH46ZY0jPtHJFXO9NQnfy1O+cthbnnVaeCxiuxUZbsSG1yxGoKoapXojnJphRvYuf2upnJAZbV8/oc' +
  'BzfBFJE7QZe6muBJUervlUN22kolGLla49wdt0xphH+3QOdNj7Nyh9YmcGqyPeVzRVNLGBxCsUnWyPtBO7Kwkft3Jzu2' +
  'NAuvyY+niG0MQ6diYSvzUTDVQcNe6JugJe1ZJE2965fVM2c+bZ9ZQwbqDOANupOue/e/yMdX7SQQvq4SWfAuKB6RUwQB' +
  'R4a/JY8do91Bm7TOosdxHmNavUT8mjP0HzPntkSIKzBxXP8NKQ1Ysa39Nq78sQOrO3sWoqBr8XMDFQK7UUymKXQS4QvJ' +
  '2eMa0RfXThV0gHE9AMtjPfvOPeuC14l069nC/qx2xDkrezi9eBMTxVU8rovAxyewoYSW1sbPi31HRGBxlKMFkiMO83yw' +
  '6nWrTgVP4zqfHT54wr/4ATPWb9FOQUITw3d6ElUuq/yqeHIb/kTEkXyWDb0HwfJ8AmItpw1YkvvH7QLFEaTniwvLHUg4' +
  'WtddbWRwucwaCnAl/Y2g7BJoIMX/kcrzDq039S8Xlsc18DXpUWMD/IK8U/t2rRj9YRQg6XO/1YNb8PpDO5SsXQ3/DTyH' +
  '/h7MGV1rHljyUdoUrdzeCt/o/RdiqZNRS1vkidlSP/+COCIMC44tuKtjr5PRMKwzEX+9qJCnqPSB/tntssZdf3b5Xy5S' +
  'PYZ41l5dqk+3Mxazrkfv90PFclbUhpUJkU9vSPIu907a1lhrlHKCiq2Gbp/09jrW2kPMQPj+UjAgrPBYV0uDyl02V+5K' +
  'YKSDeOrx/QFcqgqwNuAI';

/** The sample tile's bytes (zstd-compressed BGRX, 64×64). */
export function sampleTile(): Uint8Array {
  return Uint8Array.from(atob(SAMPLE_TILE), (c) => c.charCodeAt(0));
}

/** Decodes the sample tile `rounds` times (the worker's start); answers how long it took (ms). */
export function warmTileDecoder(rounds = 40): number {
  const started = performance.now();
  const data = sampleTile();
  for (let i = 0; i < rounds; i++) decodeTile('zstdBgrx', data, 64, 64);
  return performance.now() - started;
}
