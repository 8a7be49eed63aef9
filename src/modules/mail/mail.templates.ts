// The mails: short, a plain-text part and an HTML part, the link in both. The token travels only
// in the link, never in the subject (subjects show in notifications, lists and server logs).

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!,
  );
}

function html(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`);
  if (link) body.splice(1, 0, `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`);
  return `<!doctype html><html><body>${body.join('')}</body></html>`;
}

/** The link: the configured page with the token in place of {token}. */
export function linkFor(template: string, token: string): string {
  return template.replace('{token}', encodeURIComponent(token));
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export function passwordResetMail(username: string, link: string, ttlSeconds: number): MailContent {
  const intro = `Hello ${username}, someone asked to reset the password of your account.`;
  const outro = `The link works once, for ${duration(ttlSeconds)}. If it was not you, ignore this mail: your password stays as it is.`;
  return {
    subject: 'Reset your password',
    text: `${intro}\n\nSet a new password here:\n${link}\n\n${outro}\n`,
    html: html([intro, outro], { href: link, label: 'Set a new password' }),
  };
}

export function emailVerificationMail(username: string, link: string, ttlSeconds: number): MailContent {
  const intro = `Hello ${username}, please confirm that this is your email address.`;
  const outro = `The link works once, for ${duration(ttlSeconds)}. If you did not expect this mail, ignore it.`;
  return {
    subject: 'Confirm your email address',
    text: `${intro}\n\nConfirm it here:\n${link}\n\n${outro}\n`,
    html: html([intro, outro], { href: link, label: 'Confirm my address' }),
  };
}

/** "j***@example.com": enough for the owner to recognise, little for someone else. */
function masked(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, Math.min(1, at))}***${address.slice(at)}`;
}

/** To the previous address: no link, so a stolen session cannot use it to take the account. */
export function emailChangedMail(username: string, newAddress: string): MailContent {
  const intro = `Hello ${username}, the email address of your account was changed to ${masked(newAddress)}.`;
  const outro = 'If you did not do this, reset your password at once and tell us.';
  return {
    subject: 'Your email address was changed',
    text: `${intro}\n\n${outro}\n`,
    html: html([intro, outro]),
  };
}
