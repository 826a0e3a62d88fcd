import { describe, expect, it } from 'vitest';
import { recordingWorkerEnv } from './worker-env.ts';

describe('recording worker environment', () => {
  it('passes what Node needs and the RECORDING_* settings, never the agent’s secrets', () => {
    const env = recordingWorkerEnv(
      {
        PATH: '/usr/bin',
        LC_ALL: 'C.UTF-8',
        HTTPS_PROXY: 'http://proxy:3128',
        RECORDING_CODEC: 'vp9',
        HOST_ENROLLMENT_TOKEN: 'enrol-secret',
        HOST_METRICS_TOKEN: 'metrics-secret-0123456789',
        OPERATOR_TOKEN: 'operator-secret',
        DATABASE_URL: 'postgres://u:p@db/bp',
        RELAY_KEY: '/etc/relay.key',
      },
      { EDGE_URL: 'http://edge', RECORDING_RELAY_URL: 'https://127.0.0.1:4443' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      LC_ALL: 'C.UTF-8',
      HTTPS_PROXY: 'http://proxy:3128',
      RECORDING_CODEC: 'vp9',
      EDGE_URL: 'http://edge',
      RECORDING_RELAY_URL: 'https://127.0.0.1:4443',
    });
    expect(JSON.stringify(env)).not.toMatch(/secret|postgres/);
  });
});
