import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSystemTools } from '../../../test/support/system-tools.ts';
import { createLogger, silentLogger } from '../log.ts';
import { AudioChild } from './child.ts';
import { MIC_SINK, OUT_SINK } from './pulse-config.ts';
import { PulseServer } from './pulse-server.ts';
import { parseSinkState, SinkActivity } from './sink-activity.ts';

const hasPulse = hasSystemTools('SinkActivity against a real PulseAudio daemon', [
  'pulseaudio',
  'pactl',
  'pacat',
]);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plays `seconds` of silence-free noise into a sink, the way Chromium would. */
function play(server: PulseServer, sink: string, seconds: number): AudioChild {
  const child = new AudioChild({
    command: 'pacat',
    args: [`--device=${sink}`, '--raw', '--format=s16le', '--rate=48000', '--channels=2'],
    env: { PATH: process.env.PATH ?? '', ...server.clientEnv },
    stdin: true,
  });
  child.child.stdin?.end(Buffer.alloc(48_000 * 4 * seconds, 1));
  return child;
}

describe('parseSinkState', () => {
  it('reads the state column of the named sink', () => {
    const listing =
      '0\tbrowserpane_out\tmodule-null-sink.c\ts16le 2ch 48000Hz\tRUNNING\n' +
      '1\tbrowserpane_mic_in\tmodule-null-sink.c\ts16le 1ch 48000Hz\tIDLE\n';
    expect(parseSinkState(listing, 'browserpane_out')).toBe('RUNNING');
    expect(parseSinkState(listing, 'browserpane_mic_in')).toBe('IDLE');
    expect(parseSinkState(listing, 'other')).toBeUndefined();
    expect(parseSinkState('', 'browserpane_out')).toBeUndefined();
  });
});

describe('SinkActivity without a working pactl', () => {
  it('gives up after repeated failures, once, and counts the sink as playing so audio still works', async () => {
    const lines: { level: string; msg: string }[] = [];
    const log = createLogger({}, 'warn', (line) => lines.push(JSON.parse(line)));
    const errors = () => lines.filter((l) => l.level === 'error').map((l) => l.msg);
    const changes: boolean[] = [];
    const activity = new SinkActivity({
      sink: OUT_SINK,
      pulseEnv: {},
      log,
      pactlPath: '/nonexistent/pactl',
      onChange: (playing) => {
        changes.push(playing);
        activity.start(); // what the feature's sync does: must not start the cycle again
      },
    });
    activity.start();
    await expect.poll(() => activity.playing, { timeout: 10_000, interval: 20 }).toBe(true);
    await wait(300); // the last attempt's query may still be failing
    const logged = lines.length;
    await wait(1000);
    expect(changes).toEqual([true]);
    expect(errors()).toEqual(['cannot watch the audio sink; capturing all the time']);
    // each attempt also logs a failed query: none after giving up
    expect(lines.length).toBe(logged);
    await activity.stop();
  });
});

describe.runIf(hasPulse)('SinkActivity against a real PulseAudio daemon', () => {
  let server: PulseServer;

  beforeAll(async () => {
    server = await PulseServer.start({ log: silentLogger });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('says when something plays into the sink and when it stops, and ignores other sinks', async () => {
    const changes: boolean[] = [];
    const activity = new SinkActivity({
      sink: OUT_SINK,
      pulseEnv: server.clientEnv,
      log: silentLogger,
      onChange: (playing) => changes.push(playing),
    });
    try {
      activity.start();
      await wait(500);
      expect(activity.playing).toBe(false);
      expect(changes).toEqual([]);
      // the microphone feed is another sink: not desktop audio
      await play(server, MIC_SINK, 1).exited;
      await wait(300);
      expect(changes).toEqual([]);
      const player = play(server, OUT_SINK, 1);
      await expect.poll(() => activity.playing, { timeout: 5000, interval: 20 }).toBe(true);
      expect(changes).toEqual([true]);
      await player.exited;
      await expect.poll(() => activity.playing, { timeout: 5000, interval: 20 }).toBe(false);
      expect(changes).toEqual([true, false]);
    } finally {
      await activity.stop();
    }
  });

  it('finds a stream that was already playing when it started, and keeps watching after a restart', async () => {
    const player = play(server, OUT_SINK, 2);
    const activity = new SinkActivity({
      sink: OUT_SINK,
      pulseEnv: server.clientEnv,
      log: silentLogger,
      onChange: () => undefined,
    });
    try {
      await wait(200);
      activity.start();
      await expect.poll(() => activity.playing, { timeout: 5000, interval: 20 }).toBe(true);
      await player.exited;
      await expect.poll(() => activity.playing, { timeout: 5000, interval: 20 }).toBe(false);
      // what the feature does after the daemon restarted: subscribe again
      activity.restart();
      await wait(200);
      const second = play(server, OUT_SINK, 1);
      await expect.poll(() => activity.playing, { timeout: 5000, interval: 20 }).toBe(true);
      await second.exited;
      await expect.poll(() => activity.playing, { timeout: 5000, interval: 20 }).toBe(false);
    } finally {
      await activity.stop();
    }
  });
});
