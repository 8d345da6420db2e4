import { useState } from 'preact/hooks';
import { login } from '../api';
import { ErrorNote } from '../components/common';
import { ApiError } from '../errors';
import { startSession } from '../session';

/** The same accounts as the API: e-mail and password, a bearer token for this tab only. */
export function SignIn({ reason }: { reason: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      startSession(await login(email.trim(), password));
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
      setBusy(false);
    }
  };
  return (
    <main class="sign-in" id="content">
      <h1>Heliox</h1>
      <p>GPU cost per team and model, budgets and idle capacity.</p>
      {reason && (
        <p class="notice" role="status">
          {reason}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <label>
          E-mail
          <input
            type="email"
            name="username"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && <ErrorNote message={error} />}
      </form>
    </main>
  );
}
