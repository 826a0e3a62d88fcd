import { describe, expect, it } from 'vitest';
import {
  CAP,
  capabilityList,
  DEFAULT_SESSION_CAPABILITIES,
  roleCapabilities,
} from '../src/index.ts';

describe('roleCapabilities', () => {
  it('grants an owner every enabled session capability plus the picture', () => {
    const caps = capabilityList(roleCapabilities(DEFAULT_SESSION_CAPABILITIES, 'owner'));
    expect(caps).toEqual([
      'input',
      'clipboard',
      'fileUpload',
      'fileDownload',
      'audioOut',
      'microphone',
      'resize',
      'video',
      'tileCache',
      'copyRect',
      'cursor',
    ]);
  });

  it('never grants a viewer or recorder anything it could send', () => {
    for (const role of ['viewer', 'recorder', 'automation'] as const) {
      const mask = roleCapabilities({ ...DEFAULT_SESSION_CAPABILITIES, camera: true }, role);
      for (const sending of [
        'input',
        'clipboard',
        'fileUpload',
        'microphone',
        'camera',
        'resize',
      ]) {
        expect(mask & CAP[sending as keyof typeof CAP], `${role} ${sending}`).toBe(0);
      }
      expect(mask & CAP.audioOut).toBe(CAP.audioOut);
    }
  });

  it('drops what the session switched off', () => {
    const mask = roleCapabilities(
      { ...DEFAULT_SESSION_CAPABILITIES, clipboard: false, audio: false, files: false },
      'owner',
    );
    expect(mask & (CAP.clipboard | CAP.audioOut | CAP.fileUpload | CAP.fileDownload)).toBe(0);
    expect(mask & CAP.input).toBe(CAP.input);
  });
});
