/**
 * What a `recorder` ticket may do on the CDP gateway: capture the DOM with rrweb (for a recording
 * with `rrweb` on), nothing else. It may auto-attach to the session's pages, add the one binding
 * the capture reports through, and run exactly the capture script and its flush; no input, no
 * navigation, no other script, no network, storage or browser methods.
 */
import {
  RECORDER_RRWEB_BINDING,
  RECORDER_RRWEB_FLUSH,
  recorderRrwebScript,
} from '../recording/rrweb-script.ts';

/** Methods taken with any parameters (they read, or only attach the recorder to pages). */
const FREE = new Set([
  'Target.setAutoAttach',
  'Page.enable',
  'Runtime.enable',
  'Runtime.runIfWaitingForDebugger',
]);

export interface CdpCall {
  readonly method: string;
  readonly params?: Record<string, unknown> | undefined;
}

export class RecorderCdpPolicy {
  private script: string | undefined;

  private constructor() {}

  static async load(): Promise<RecorderCdpPolicy> {
    const policy = new RecorderCdpPolicy();
    policy.script = await recorderRrwebScript();
    return policy;
  }

  /** Whether a recorder may send this call. */
  allows(call: CdpCall): boolean {
    if (FREE.has(call.method)) return true;
    const p = call.params ?? {};
    switch (call.method) {
      case 'Runtime.addBinding':
        return p.name === RECORDER_RRWEB_BINDING && p.executionContextName === undefined;
      case 'Page.addScriptToEvaluateOnNewDocument':
        return p.source === this.script && p.worldName === undefined;
      case 'Runtime.evaluate':
        return (
          (p.expression === this.script || p.expression === RECORDER_RRWEB_FLUSH) &&
          p.contextId === undefined &&
          p.uniqueContextId === undefined
        );
      default:
        return false;
    }
  }
}
