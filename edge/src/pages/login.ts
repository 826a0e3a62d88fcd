import { esc, page } from './html.ts';

export interface LoginParams {
  client_id: string;
  redirect_uri: string;
  state?: string;
  code_challenge: string;
  code_challenge_method: string;
  scope?: string;
  nonce?: string;
  response_type: string;
}

/** The development issuer's sign-in form; the OAuth parameters ride along as hidden fields. */
export function loginPage(
  action: string,
  params: LoginParams,
  error?: string,
  username = '',
): string {
  const hidden = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return page(
    'Sign in · BrowserPane (development)',
    `<main class="narrow"><div class="card">
<h1>Sign in to BrowserPane</h1>
<p class="muted">Development identity provider. Accounts: <code>demo</code> / <code>demo-demo</code> and <code>demo2</code> / <code>demo2-demo2</code>.</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="${esc(action)}">${hidden}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus value="${esc(username)}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="muted">Signing in to <code>${esc(params.client_id)}</code>.</p>
</div></main>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(
    title,
    `<main class="narrow"><div class="card"><h1>${esc(title)}</h1><p>${esc(message)}</p></div></main>`,
  );
}
