import { useMutation } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { API_URL, signOut } from './apollo';
import { graphql } from './gql';
import { useToken } from './token';
import { LoginPage } from './views/LoginPage';
import { MePage } from './views/MePage';
import { RegisterPage } from './views/RegisterPage';
import { ResetPasswordPage } from './views/ResetPasswordPage';
import { SessionsPage } from './views/SessionsPage';
import { UsersPage } from './views/UsersPage';
import { VerifyEmailPage } from './views/VerifyEmailPage';

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

const signedOutViews = { login: 'Log in', register: 'Register' } as const;
const signedInViews = { me: 'Me', users: 'Users', sessions: 'Sessions' } as const;
// The pages the mails' links open (see link.ts): signed in or not, and not in the menu.
const linkViews = ['reset-password', 'verify-email'] as const;
type View = keyof typeof signedOutViews | keyof typeof signedInViews | (typeof linkViews)[number];

/** The view is the URL's hash (#/users), so a reload or the back button keeps it. */
function useHashView(): View {
  const read = () => window.location.hash.replace(/^#\/?/, '') as View;
  const [view, setView] = useState<View>(read);
  useEffect(() => {
    const onChange = () => setView(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return view;
}

export function App() {
  const token = useToken();
  const hashView = useHashView();
  const [logout, { loading: loggingOut }] = useMutation(LogoutMutation);
  const views: Record<string, string> = token ? signedInViews : signedOutViews;
  const allowed = hashView in views || (linkViews as readonly string[]).includes(hashView);
  const view: View = allowed ? hashView : token ? 'me' : 'login';

  async function logOut() {
    try {
      await logout(); // revokes this token on the server
    } catch {
      // Already dead (expired or revoked elsewhere): nothing left to revoke.
    }
    await signOut();
    window.location.hash = '#/login';
  }

  return (
    <div className="app">
      <header>
        <h1>authapi</h1>
        <nav>
          {Object.entries(views).map(([key, label]) => (
            <a key={key} href={`#/${key}`} aria-current={key === view ? 'page' : undefined}>
              {label}
            </a>
          ))}
          {token && (
            <button type="button" className="secondary" onClick={() => void logOut()} disabled={loggingOut}>
              Log out
            </button>
          )}
        </nav>
      </header>
      <main>
        {view === 'login' && <LoginPage />}
        {view === 'register' && <RegisterPage />}
        {view === 'me' && <MePage />}
        {view === 'users' && <UsersPage />}
        {view === 'sessions' && <SessionsPage />}
        {view === 'reset-password' && <ResetPasswordPage />}
        {view === 'verify-email' && <VerifyEmailPage />}
      </main>
      <footer>
        API: <code>{API_URL}</code>
      </footer>
    </div>
  );
}
