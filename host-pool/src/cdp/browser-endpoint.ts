import { request } from 'node:http';
import { CdpError } from './errors.ts';

/**
 * Reads the browser-level WebSocket URL from `http://127.0.0.1:<port>/json/version`. Only for
 * loopback ports: the DevTools endpoint is never exposed beyond the host.
 */
export function fetchBrowserWebSocketUrl(port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/json/version', method: 'GET', timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              webSocketDebuggerUrl?: unknown;
            };
            if (typeof body.webSocketDebuggerUrl !== 'string') throw new Error('no url');
            resolve(body.webSocketDebuggerUrl);
          } catch (err) {
            reject(new CdpError('bad_message', 'unexpected /json/version answer', { cause: err }));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) =>
      reject(
        new CdpError('connect_failed', `DevTools on port ${port} unreachable`, { cause: err }),
      ),
    );
    req.end();
  });
}
