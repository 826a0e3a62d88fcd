import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InputInjector, KeyboardMap, XK } from '../src/input/index.ts';
import { openSessionDisplay, type SessionDisplay } from '../src/runtime/index.ts';
import type { InputMessage } from '../src/types.ts';
import {
  openPage,
  type PageHandle,
  sleep,
  startTestRuntime,
  type TestRuntime,
  waitUntil,
} from './helpers/browser.ts';
import { type PageServer, startPageServer } from './helpers/page-server.ts';

let server: PageServer;
let env: TestRuntime;
let page: PageHandle;
let display: SessionDisplay;
let input: InputInjector;
let chromeHeight = 0;

const SHIFT = 1;
const CONTROL = 2;

function key(down: boolean, code: string, k: string, modifiers = 0, repeat = false): InputMessage {
  return { type: 'keyEvent', down, code, key: k, modifiers, repeat };
}

/** Presses and releases like a US keyboard would report it. */
async function tap(code: string, k: string, modifiers = 0): Promise<void> {
  await input.apply(key(true, code, k, modifiers));
  await input.apply(key(false, code, k, modifiers));
}

const US_SHIFTED: Record<string, string> = { '!': 'Digit1', '?': 'Slash', ':': 'Semicolon' };

async function typeUs(s: string): Promise<void> {
  for (const ch of s) {
    if (ch === '\n') await tap('Enter', 'Enter');
    else if (ch === ' ') await tap('Space', ' ');
    else if (US_SHIFTED[ch] || ch !== ch.toLowerCase()) {
      await input.apply(key(true, 'ShiftLeft', 'Shift', SHIFT));
      await tap(US_SHIFTED[ch] ?? `Key${ch}`, ch, SHIFT);
      await input.apply(key(false, 'ShiftLeft', 'Shift', 0));
    } else if (/[0-9]/.test(ch)) await tap(`Digit${ch}`, ch);
    else await tap(`Key${ch.toUpperCase()}`, ch);
  }
}

async function padValue(): Promise<string> {
  return page.evaluate<string>('document.getElementById("pad").value');
}

async function clickAt(x: number, y: number, button: 'left' | 'back' = 'left'): Promise<void> {
  await input.apply({ type: 'pointerButton', button, down: true, x, y, modifiers: 0 });
  await input.apply({ type: 'pointerButton', button, down: false, x, y, modifiers: 0 });
}

/** Screen position of the centre of an element (display pixels). */
async function centreOf(selector: string): Promise<{ x: number; y: number }> {
  const r = await page.evaluate<{ x: number; y: number }>(
    `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`,
  );
  return { x: Math.round(r.x), y: Math.round(r.y + chromeHeight) };
}

async function clearPad(): Promise<void> {
  await page.evaluate('document.getElementById("pad").value = ""; scrollTo(0, 0)');
  const at = await centreOf('#pad');
  await clickAt(at.x, at.y);
  await waitUntil(() => page.evaluate('document.activeElement?.id === "pad"'));
}

beforeAll(async () => {
  server = await startPageServer();
  env = await startTestRuntime();
  page = await openPage(env.runtime.cdpWebSocketUrl());
  await page.navigate(server.url('article.html'));
  chromeHeight = 720 - (await page.evaluate<number>('innerHeight'));
  display = await openSessionDisplay(env.runtime);
  input = display.input;
});

afterAll(async () => {
  await display?.close();
  await page?.close();
  await env?.dispose();
  await server?.close();
});

describe('keyboard map', () => {
  it('finds keysyms on the server keymap with their shift level', () => {
    const map = KeyboardMap.fromRows(8, [[], [XK.Escape], [0x31, 0x21]], [[50, 62]]);
    expect(map.find(XK.Escape)).toEqual({ keycode: 9, level: 0 });
    expect(map.find(0x21)).toEqual({ keycode: 10, level: 1 });
    expect(map.find(0x41)).toBeUndefined();
    expect([...map.shiftKeycodes]).toEqual([50, 62]);
  });
});

describe('input injection (real Xvfb + Chromium)', () => {
  it('types key events into a textarea (shift, symbols, enter, backspace, repeat)', async () => {
    await clearPad();
    await typeUs('Hello World!\nline 2?');
    await tap('Backspace', 'Backspace');
    await input.apply(key(true, 'KeyZ', 'z'));
    await input.apply(key(true, 'KeyZ', 'z', 0, true));
    await input.apply(key(true, 'KeyZ', 'z', 0, true));
    await input.apply(key(false, 'KeyZ', 'z'));
    await waitUntil(async () => (await padValue()).endsWith('zzz'));
    expect(await padValue()).toBe('Hello World!\nline 2zzz');
  });

  it('holds keys given while the window is not ready yet, then types them in order', async () => {
    await clearPad();
    let ready: () => void = () => {};
    input.holdUntil(new Promise<void>((r) => (ready = r)));
    const typed = typeUs('held');
    await sleep(300);
    expect(await padValue(), 'the pad while input is held').toBe('');
    ready();
    await typed;
    await waitUntil(async () => (await padValue()) === 'held');
    // a hold whose promise never settles lets input through after its cap
    input.holdUntil(new Promise(() => {}), 200);
    await typeUs('!');
    await waitUntil(async () => (await padValue()) === 'held!');
    expect(await padValue()).toBe('held!');
  });

  it('inserts Unicode text and characters the US keymap lacks, in order with keys', async () => {
    await clearPad();
    await typeUs('a');
    await input.apply({ type: 'textInput', text: '日本語 ✓ 😀' });
    await typeUs('b');
    // AZERTY: the physical Digit2 key produces "é" (not on the US map) and KeyQ produces "a"
    await tap('Digit2', 'é');
    await tap('KeyQ', 'a');
    // AltGr characters never mix with the held modifiers
    await input.apply(key(true, 'AltRight', 'AltGraph', 16));
    await tap('KeyE', '€', 16);
    await input.apply(key(false, 'AltRight', 'AltGraph', 0));
    await waitUntil(async () => (await padValue()).length >= 13);
    expect(await padValue()).toBe('a日本語 ✓ 😀béa€');
  });

  it('applies shortcuts by physical key (Ctrl+A, then typing replaces the selection)', async () => {
    await clearPad();
    await typeUs('replace me');
    await input.apply(key(true, 'ControlLeft', 'Control', CONTROL));
    await tap('KeyA', 'a', CONTROL);
    await input.apply(key(false, 'ControlLeft', 'Control', 0));
    await typeUs('ok');
    await waitUntil(async () => (await padValue()) === 'ok');
  });

  it('releases everything on inputReset', async () => {
    await clearPad();
    await input.apply(key(true, 'ShiftLeft', 'Shift', SHIFT));
    await input.apply({ type: 'inputReset' });
    await tap('KeyQ', 'q');
    await waitUntil(async () => (await padValue()) === 'q');
  });

  it('clicks the element under the pointer and clamps coordinates to the display', async () => {
    await page.evaluate('scrollTo(0, 0)');
    const at = await centreOf('#hit');
    await clickAt(at.x, at.y);
    await waitUntil(() => page.evaluate('document.getElementById("hit").dataset.clicks === "1"'));
    await input.apply({ type: 'pointerMove', x: 65535, y: 65535 });
    await input.apply({
      type: 'pointerButton',
      button: 'middle',
      down: false,
      x: 5,
      y: 5,
      modifiers: 0,
    });
    await sleep(100);
    const pos = await env.runtime.connectX({ shm: false });
    try {
      const p = await pos.request<{ rootX: number; rootY: number }>((cb) =>
        pos.client.QueryPointer(pos.root, cb),
      );
      expect([p.rootX, p.rootY]).toEqual([5, 5]);
    } finally {
      await pos.close();
    }
  });

  it('scrolls with the wheel: 120 px per X click, fractions accumulate', async () => {
    await page.evaluate('scrollTo(0, 0)');
    await input.apply({ type: 'pointerMove', x: 600, y: 450 });
    const wheel = (deltaY: number) =>
      input.apply({ type: 'wheel', x: 600, y: 450, deltaX: 0, deltaY, modifiers: 0 });
    await wheel(120);
    await waitUntil(() => page.evaluate('scrollY === 120'));
    await wheel(100); // one client notch of 100 px still moves one click
    await waitUntil(() => page.evaluate('scrollY === 240'));
    for (let i = 0; i < 4; i++) await wheel(30); // 120 px in small steps: one click in total
    await waitUntil(() => page.evaluate('scrollY === 360'));
    await wheel(-360);
    await waitUntil(() => page.evaluate('scrollY === 0'));
  });

  it('maps the back button to history back', async () => {
    await page.navigate(server.url('article.html?second'));
    await clickAt(600, 450, 'back');
    await waitUntil(() => page.evaluate('!location.search'), 10_000);
  });

  it('ignores input it cannot apply', async () => {
    const bad: InputMessage[] = [
      key(true, '', ''),
      key(true, 'NoSuchKey', 'Unidentified'),
      key(false, 'KeyA', 'a'),
      key(true, 'CapsLock', 'CapsLock'),
      key(true, 'KeyA', 'Dead'),
      { type: 'textInput', text: '' },
      { type: 'wheel', x: 0, y: 0, deltaX: 32767, deltaY: -32768, modifiers: 0 },
    ];
    for (const m of bad) await expect(input.apply(m)).resolves.toBeUndefined();
    await input.apply({ type: 'inputReset' });
  });
});
