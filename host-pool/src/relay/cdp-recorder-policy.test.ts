import { describe, expect, it } from 'vitest';
import {
  RECORDER_RRWEB_BINDING,
  RECORDER_RRWEB_FLUSH,
  recorderRrwebScript,
} from '../recording/rrweb-script.ts';
import { RecorderCdpPolicy } from './cdp-recorder-policy.ts';

describe('CDP gateway: what a recorder ticket may call', () => {
  it('the rrweb capture (attach, its binding, its script and flush), nothing else', async () => {
    const policy = await RecorderCdpPolicy.load();
    const script = await recorderRrwebScript();
    const allowed = [
      { method: 'Target.setAutoAttach', params: { autoAttach: true, flatten: true } },
      { method: 'Runtime.enable' },
      { method: 'Page.enable' },
      { method: 'Runtime.addBinding', params: { name: RECORDER_RRWEB_BINDING } },
      { method: 'Page.addScriptToEvaluateOnNewDocument', params: { source: script } },
      { method: 'Runtime.evaluate', params: { expression: script } },
      { method: 'Runtime.evaluate', params: { expression: RECORDER_RRWEB_FLUSH } },
    ];
    for (const call of allowed) expect(policy.allows(call), call.method).toBe(true);
    const refused = [
      { method: 'Input.dispatchKeyEvent', params: { type: 'keyDown', text: 'a' } },
      { method: 'Input.insertText', params: { text: 'a' } },
      { method: 'Page.navigate', params: { url: 'https://example.com' } },
      { method: 'Runtime.evaluate', params: { expression: 'document.cookie' } },
      { method: 'Runtime.evaluate', params: { expression: `${script};document.cookie` } },
      { method: 'Runtime.evaluate', params: { expression: script, contextId: 3 } },
      { method: 'Runtime.callFunctionOn', params: { functionDeclaration: '() => 1' } },
      { method: 'Page.addScriptToEvaluateOnNewDocument', params: { source: 'alert(1)' } },
      { method: 'Runtime.addBinding', params: { name: 'other' } },
      { method: 'Network.getAllCookies' },
      { method: 'Storage.getCookies' },
      { method: 'Target.createTarget', params: { url: 'about:blank' } },
      { method: 'Browser.close' },
      { method: 'Fetch.enable' },
    ];
    for (const call of refused) expect(policy.allows(call), call.method).toBe(false);
  });

  it('the capture masks every input value', async () => {
    const script = await recorderRrwebScript();
    expect(script).toContain('"maskAllInputs":true');
    expect(script).toContain('rrwebRecord');
  });
});
