/** Where a host gets the archive of an extension one of its sessions loads: the edge's host route. */
import type { SessionExtension } from '@browserpane/api/contract';
import { ExtensionLoadError } from './errors.ts';

export interface ExtensionSource {
  /** The archive's bytes (at most `extension.size`; the caller checks size and digest). */
  download(sessionId: string, extension: SessionExtension): Promise<Uint8Array>;
}

/** The edge of this agent, with its host credential (known once it enrolled). */
export function edgeExtensions(
  baseUrl: string,
  identity: () => { host_id: string; host_credential: string } | undefined,
): ExtensionSource {
  return {
    async download(sessionId, extension) {
      const id = identity();
      if (!id) throw new ExtensionLoadError('the host is not enrolled yet');
      const res = await fetch(
        `${baseUrl}/api/v1/hosts/${id.host_id}/sessions/${sessionId}/extensions/${extension.extension_id}/content`,
        {
          headers: { authorization: `Bearer ${id.host_credential}` },
          signal: AbortSignal.timeout(60_000),
        },
      );
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => undefined);
        throw new ExtensionLoadError(`the edge answered ${res.status} for the archive`);
      }
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > extension.size) {
          await reader.cancel().catch(() => undefined);
          throw new ExtensionLoadError(`the archive is larger than its ${extension.size} bytes`);
        }
        chunks.push(value);
      }
      return Buffer.concat(chunks);
    },
  };
}
