import { describe, expect, it } from 'vitest';
import { jitterOptions } from './jitter-buffer.ts';
import { CAPTURE_PROCESSOR, PLAYER_PROCESSOR, workletSource } from './worklet-module.ts';

type Ctor = new (init: {
  processorOptions: unknown;
}) => {
  port: FakePort;
  process(inputs: Float32Array[][], outputs?: Float32Array[][]): boolean;
};

class FakePort {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  readonly sent: unknown[] = [];
  postMessage(data: unknown) {
    this.sent.push(data instanceof Float32Array ? Float32Array.from(data) : data);
  }
}

/** Runs the module source the way an AudioWorkletGlobalScope would, with only its globals. */
function loadModule(): { registered: Map<string, Ctor>; scope: { currentTime: number } } {
  const registered = new Map<string, Ctor>();
  const scope = {
    currentTime: 0,
    AudioWorkletProcessor: class {
      port = new FakePort();
    },
    registerProcessor: (name: string, ctor: Ctor) => registered.set(name, ctor),
  };
  new Function('globalThis', workletSource())(scope);
  return { registered, scope };
}

describe('worklet module source', () => {
  it('is self-contained and registers both processors under the exported names', () => {
    const { registered } = loadModule();
    expect([...registered.keys()].sort()).toEqual([CAPTURE_PROCESSOR, PLAYER_PROCESSOR].sort());
  });

  it('player: buffers, plays, mutes and reports', () => {
    const { registered, scope } = loadModule();
    const Player = registered.get(PLAYER_PROCESSOR) as Ctor;
    const player = new Player({ processorOptions: { jitter: jitterOptions(48_000, 2) } });
    const send = (data: unknown) => player.port.onmessage?.({ data });
    send({
      type: 'pcm',
      planes: [new Float32Array(4800).fill(0.5), new Float32Array(4800).fill(0.5)],
    });
    const outputs = [[new Float32Array(128), new Float32Array(128)]];
    player.process([], outputs);
    expect(outputs[0]?.[0]?.[0]).toBe(0.5);
    send({ type: 'mute', muted: true });
    scope.currentTime = 1;
    player.process([], outputs);
    expect(outputs[0]?.[1]?.every((v) => v === 0)).toBe(true);
    const reports = player.port.sent as Array<{
      type: string;
      playedFrames: number;
      buffered: number;
    }>;
    expect(reports.at(-1)).toMatchObject({
      type: 'stats',
      playedFrames: 256,
      buffered: 4800 - 256,
    });
  });

  it('capture: averages the input channels into 20 ms blocks', () => {
    const { registered } = loadModule();
    const Capture = registered.get(CAPTURE_PROCESSOR) as Ctor;
    const capture = new Capture({ processorOptions: { blockFrames: 960 } });
    for (let q = 0; q < 8; q++)
      capture.process([[new Float32Array(128).fill(0.2), new Float32Array(128).fill(0.4)]]);
    const blocks = capture.port.sent as Float32Array[];
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.length).toBe(960);
    expect(blocks[0]?.[959]).toBeCloseTo(0.3, 6);
    expect(capture.process([])).toBe(true);
  });
});
