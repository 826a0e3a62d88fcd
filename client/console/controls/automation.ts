import type { Api } from '../api.ts';
import { currentSession } from '../auth.ts';
import { h } from '../dom.ts';

interface Bridge {
  readonly url: string;
  readonly principalId: string;
}

/**
 * "Delegate to MCP": the owner hands the session to the MCP bridge the deployment names in
 * `/auth-config.json` (`mcp_bridge_url`). Delegating makes the bridge's service principal the
 * session's MCP owner at the edge (the person's token goes to the edge only), then asks the bridge
 * to adopt it (`PUT /control-session`, which the bridge checks against the person's token and the
 * edge). "Revoke MCP" clears the MCP owner: the edge refuses the bridge further tickets and cuts
 * its CDP attachment. Nothing is shown when no bridge is configured.
 */
export class AutomationControl {
  readonly element: HTMLElement;
  private bridge: Bridge | undefined;
  private busy = false;

  constructor(
    private readonly api: Api,
    private readonly sessionId: string,
    private readonly flash: (text: string) => void,
  ) {
    this.element = h('span.automation-controls');
    void this.init().catch(() => undefined);
  }

  private async init(): Promise<void> {
    const config = await this.api.getAuthConfig(undefined, { token: null });
    if (!config.mcp_bridge_url) return;
    const url = config.mcp_bridge_url.replace(/\/+$/, '');
    const health = await fetch(`${url}/health`);
    if (!health.ok) return;
    const { principal_id } = (await health.json()) as { principal_id: string };
    this.bridge = { url, principalId: principal_id };
    const session = await this.api.getSession(this.session);
    this.render(session.mcp_owner?.principal_id === principal_id);
  }

  private render(delegated: boolean): void {
    const bridge = this.bridge;
    if (!bridge) return;
    this.element.replaceChildren(
      delegated
        ? h('span.mcp-status', {
            'data-testid': 'mcp-status',
            text: 'MCP driving',
            title: `MCP clients drive this session through ${bridge.url}/mcp`,
          })
        : '',
      h(
        'button.ghost',
        {
          'data-testid': delegated ? 'revoke-mcp' : 'delegate-mcp',
          title: delegated
            ? 'Take the session back from the MCP bridge'
            : `Let MCP clients of ${bridge.url}/mcp drive this session while you watch`,
          onclick: () => void (delegated ? this.revoke() : this.delegate()),
        },
        delegated ? 'Revoke MCP' : 'Delegate to MCP',
      ),
    );
  }

  private async delegate(): Promise<void> {
    const bridge = this.bridge;
    if (!bridge || this.busy) return;
    this.busy = true;
    try {
      await this.api.setSessionMcpOwner({
        ...this.session,
        body: { principal_id: bridge.principalId, display_name: 'MCP bridge' },
      });
      this.render(true);
      const res = await fetch(`${bridge.url}/control-session`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...this.auth() },
        body: JSON.stringify({ session_id: this.sessionId }),
      });
      if (!res.ok) throw new Error(`the MCP bridge did not take the session (${res.status})`);
      this.flash(`Delegated: MCP clients connect to ${bridge.url}/mcp`);
    } catch (err) {
      this.flash((err as Error).message);
    } finally {
      this.busy = false;
    }
  }

  private async revoke(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.api.clearSessionMcpOwner(this.session);
      this.render(false);
      this.flash('MCP control revoked');
    } catch (err) {
      this.flash((err as Error).message);
    } finally {
      this.busy = false;
    }
  }

  private auth(): Record<string, string> {
    const token = currentSession()?.accessToken;
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  private get session() {
    return { params: { session_id: this.sessionId } };
  }
}
