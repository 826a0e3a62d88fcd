import { CAP, capabilityList } from '@browserpane/protocol';
import { describe, expect, it } from 'vitest';
import { sessionCapabilityMask } from './session-capabilities.ts';

describe('sessionCapabilityMask', () => {
  it('leaves everything on when no option is switched off', () => {
    expect(sessionCapabilityMask({ capabilities: {} })).toBe(0xffffffff);
    const all = { input: true, clipboard: true, audio: true, files: true, resize: true };
    expect(sessionCapabilityMask({ capabilities: all })).toBe(0xffffffff);
  });

  it('takes away exactly what each false option covers', () => {
    const mask = sessionCapabilityMask({
      capabilities: { input: false, files: false, audio: false, resize: true },
    });
    expect(mask & CAP.input).toBe(0);
    expect(mask & CAP.fileUpload).toBe(0);
    expect(mask & CAP.fileDownload).toBe(0);
    expect(mask & CAP.audioOut).toBe(0);
    expect(capabilityList(mask)).toEqual(
      expect.arrayContaining(['clipboard', 'microphone', 'resize', 'video', 'tileCache', 'cursor']),
    );
  });

  it('ignores options it does not know', () => {
    expect(sessionCapabilityMask({ capabilities: { teleport: false } })).toBe(0xffffffff);
  });
});
