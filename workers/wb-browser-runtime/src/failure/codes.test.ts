import { describe, expect, it } from 'vitest';
import { CodedError, classifyError, errorMessage } from './codes.ts';

function timeout(message: string): Error {
  const error = new Error(message);
  error.name = 'TimeoutError';
  return error;
}

describe('classifyError', () => {
  it('follows the reference rules in order', () => {
    expect(classifyError(new CodedError('AUTH_FAILED', 'x'), 'goto')).toBe('AUTH_FAILED');
    expect(classifyError(timeout('page.click: Timeout 10ms exceeded'), 'goto')).toBe('NAV_TIMEOUT');
    expect(
      classifyError(timeout('waiting for load state networkidle'), 'wait_for_network_idle'),
    ).toBe('NAV_TIMEOUT');
    expect(classifyError(timeout('waiting for navigation'), 'click')).toBe('NAV_TIMEOUT');
    expect(classifyError(timeout('Timeout 10ms exceeded'), 'click')).toBe('SELECTOR_NOT_FOUND');
    expect(classifyError(timeout('Timeout 10ms exceeded'), 'eval')).toBe('SELECTOR_NOT_FOUND');
    expect(classifyError(new Error('boom'), 'eval')).toBe('SCRIPT_ERROR');
    expect(classifyError(new Error('boom'), 'extract')).toBe('SCRIPT_ERROR');
    expect(classifyError(new Error('boom'), 'assert')).toBe('INTERNAL_ERROR');
    expect(classifyError('string', 'session')).toBe('INTERNAL_ERROR');
    expect(classifyError(null, 'session')).toBe('INTERNAL_ERROR');
  });

  it('strips terminal colour codes from messages', () => {
    expect(errorMessage(new Error('a \u001b[2mb\u001b[22m c'))).toBe('a b c');
    expect(errorMessage(42)).toBe('42');
  });
});
