// The mails' links open this app at /reset-password?token=… and /verify-email?token=… (the API's
// PASSWORD_RESET_URL and EMAIL_VERIFICATION_URL defaults). The token is read once, when the app
// starts, and kept in memory only: the address bar is rewritten at once to the hash view
// (#/reset-password), so the token does not stay in the history, in a bookmark or in a Referer
// (index.html also sets referrer "no-referrer").
export type LinkView = 'reset-password' | 'verify-email';

const LINK_PATHS: Record<string, LinkView> = {
  'reset-password': 'reset-password',
  'verify-email': 'verify-email',
};

function readLink(): { view: LinkView; token: string | null } | null {
  const base = import.meta.env.BASE_URL; // '/' unless the app is built for a sub-path
  const { pathname, search } = window.location;
  if (!pathname.startsWith(base)) return null;
  const view = LINK_PATHS[pathname.slice(base.length).replace(/\/$/, '')];
  if (!view) return null;
  const token = new URLSearchParams(search).get('token');
  window.history.replaceState(null, '', `${base}#/${view}`);
  return { view, token: token || null };
}

const opened = readLink();

/** The token the page was opened with, for this view; null when there was none. */
export function linkToken(view: LinkView): string | null {
  return opened?.view === view ? opened.token : null;
}

/** After the token was used up (or given up on): a later visit to the view starts without it. */
export function forgetLinkToken(): void {
  if (opened) opened.token = null;
}
