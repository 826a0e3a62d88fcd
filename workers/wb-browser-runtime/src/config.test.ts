import { describe, expect, it } from 'vitest';
import { ConfigError, parseExtensions, readConfig } from './config.ts';

describe('readConfig', () => {
  it('defaults to browserbase and trims/lower-cases the vendor', () => {
    expect(readConfig({}).vendor).toBe('browserbase');
    expect(readConfig({ WB_BROWSER_VENDOR: '  Browser-Use ' }).vendor).toBe('browser-use');
    expect(() => readConfig({ WB_BROWSER_VENDOR: 'steel' })).toThrow(ConfigError);
  });

  it('reads the deadline, log level and download settings', () => {
    const config = readConfig({
      WB_SLICE_DEADLINE_MS: 'abc',
      WB_LOG_LEVEL: 'DEBUG',
      WB_MAX_DOWNLOAD_BYTES: '1000',
      WB_ALLOW_PRIVATE_DOWNLOAD_IP: 'yes',
    });
    expect(config.sliceDeadlineMs).toBe(120_000);
    expect(config.logLevel).toBe('debug');
    expect(config.maxDownloadBytes).toBe(1000);
    expect(config.allowPrivateDownloadIp).toBe(true);
    expect(readConfig({ WB_SLICE_DEADLINE_MS: '0' }).sliceDeadlineMs).toBe(120_000);
    expect(readConfig({ WB_LOG_LEVEL: 'loud' }).logLevelWarning).toContain('WB_LOG_LEVEL="loud"');
  });

  it('reads the browserpane vendor settings', () => {
    const config = readConfig({
      WB_BROWSER_VENDOR: 'BrowserPane',
      BROWSERPANE_API_URL: 'http://127.0.0.1:8787/',
      BROWSERPANE_TOKEN: ' tok ',
      BROWSERPANE_SESSION_ID: 'abc',
      BROWSERPANE_VIEWPORT: '1600x900',
      BROWSERPANE_START_TIMEOUT_MS: '5000',
      BROWSERPANE_IDLE_TIMEOUT_SEC: '3600',
    });
    expect(config.vendor).toBe('browserpane');
    expect(config.browserpane).toEqual({
      apiUrl: 'http://127.0.0.1:8787',
      token: 'tok',
      clientId: null,
      clientSecret: null,
      tokenUrl: null,
      sessionId: 'abc',
      consoleUrl: null,
      viewport: { width: 1600, height: 900 },
      startTimeoutMs: 5000,
      idleTimeoutSec: 3600,
    });
    expect(readConfig({ BROWSERPANE_VIEWPORT: 'huge' }).browserpane).toMatchObject({
      viewport: null,
      startTimeoutMs: 90_000,
      idleTimeoutSec: null,
    });
  });

  it('parses the extension allowlist', () => {
    expect(parseExtensions(' .CSV, pdf,,.. ')).toEqual(['csv', 'pdf']);
    expect(parseExtensions('')).toBeNull();
  });

  it('enables recording only with URL and secret', () => {
    expect(readConfig({ WB_RECORDING_UPLOAD_URL: 'http://x' }).recording).toBeNull();
    const config = readConfig({
      WB_RECORDING_UPLOAD_URL: 'http://x',
      WB_RECORDING_UPLOAD_SECRET: 's',
      TRIGGER_RUN_ID: 'trig',
      WB_RECORDING_SCREENCAST_FPS: '99',
      WB_RECORDING_SCREENCAST_QUALITY: '5',
      WB_RECORDING_BLOCK_SELECTOR: '.a',
      WB_RECORDING_IGNORE_SELECTOR: '.b',
    }).recording;
    expect(config).toMatchObject({
      runId: 'trig',
      fps: 30,
      quality: 10,
      rrweb: true,
      video: true,
      blockSelector: '.a,.b',
    });
    expect(
      readConfig({ WB_RECORDING_UPLOAD_URL: 'http://x', WB_RECORDING_UPLOAD_SECRET: 's' }).recording
        ?.runId,
    ).toMatch(/^wb-/);
  });

  it('browser-use proxy: unset → not sent, "null" → null', () => {
    expect(readConfig({}).browserUse.proxyCountry).toBeUndefined();
    expect(readConfig({ BROWSER_USE_PROXY_COUNTRY: 'null' }).browserUse.proxyCountry).toBeNull();
    expect(readConfig({ BROWSER_USE_PROXY_COUNTRY: 'de' }).browserUse.proxyCountry).toBe('de');
  });
});
