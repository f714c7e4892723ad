// Account pages: sign-up ("check your email"), the emailed links (/verify-email#token,
// /reset-password#token, /confirm-email#token), login and the forgotten password.
import { useEffect, useState } from "preact/hooks";
import { problemKind, problemText } from "../api/client";
import { Alert, Field, Page } from "../ui/components";
import { navigate, onLink } from "../ui/router";
import { useHr } from "./context";
import { takeFragmentToken } from "./format";
import { saveTokens } from "./session";

const MIN_PASSWORD = 12;

export function SignUp() {
  const { anon } = useHr();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [sent, setSent] = useState<{ email: string; detail: string } | null>(null);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (password !== String(form.get("confirm") ?? "")) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError("");
    const { data, error: problem } = await anon.POST("/v1/auth/register", { body: { email, password } });
    setBusy(false);
    if (data) setSent({ email: data.email, detail: data.detail ?? "" });
    else setError(problemText(problem));
  };

  if (sent)
    return (
      <Page title="Check your email">
        <Alert kind="success">
          We sent a link to <strong>{sent.email}</strong>. {sent.detail}
        </Alert>
        <p>
          Already confirmed?{" "}
          <a href="/login" onClick={onLink}>
            Sign in
          </a>
        </p>
      </Page>
    );
  return (
    <Page title="Create your HR account">
      <form onSubmit={submit} noValidate={false}>
        <Field label="Work email" name="email" type="email" autocomplete="email" required />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="new-password"
          minLength={MIN_PASSWORD}
          required
          hint={`At least ${MIN_PASSWORD} characters.`}
        />
        <Field label="Repeat the password" name="confirm" type="password" autocomplete="new-password" required />
        {error && <Alert>{error}</Alert>}
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
      </form>
      <p>
        Have an account?{" "}
        <a href="/login" onClick={onLink}>
          Sign in
        </a>
      </p>
    </Page>
  );
}

/** Follows an emailed link once, on arrival: POSTs its token and says what happened. */
function useLinkToken(
  follow: (token: string) => Promise<{ ok: boolean; text: string }>,
): { state: "working" | "done" | "failed"; text: string } {
  const [result, setResult] = useState<{ state: "working" | "done" | "failed"; text: string }>({
    state: "working",
    text: "",
  });
  useEffect(() => {
    const token = takeFragmentToken();
    if (!token) {
      setResult({ state: "failed", text: "This link has no token. Open the link from the email again." });
      return;
    }
    void follow(token).then((r) => setResult({ state: r.ok ? "done" : "failed", text: r.text }));
  }, []);
  return result;
}

export function VerifyEmail() {
  const { anon } = useHr();
  const result = useLinkToken(async (token) => {
    const { data, error } = await anon.POST("/v1/auth/verify-email", { body: { token } });
    return data
      ? { ok: true, text: `${data.email} is confirmed. You can sign in now.` }
      : { ok: false, text: problemText(error, "This link is not valid any more.") };
  });
  return (
    <Page title="Confirm your email">
      {result.state === "working" && <Alert kind="info">Confirming your address…</Alert>}
      {result.state === "done" && <Alert kind="success">{result.text}</Alert>}
      {result.state === "failed" && <Alert>{result.text}</Alert>}
      {result.state !== "working" && (
        <p>
          <a href="/login" onClick={onLink}>
            Sign in
          </a>
        </p>
      )}
    </Page>
  );
}

export function ConfirmEmail() {
  const { anon } = useHr();
  const result = useLinkToken(async (token) => {
    const { data, error } = await anon.POST("/v1/auth/confirm-email", { body: { token } });
    return data
      ? { ok: true, text: "Your new email address is confirmed. Sign in with it." }
      : { ok: false, text: problemText(error, "This link is not valid any more.") };
  });
  return (
    <Page title="Confirm your new email">
      {result.state === "working" && <Alert kind="info">Confirming…</Alert>}
      {result.state === "done" && <Alert kind="success">{result.text}</Alert>}
      {result.state === "failed" && <Alert>{result.text}</Alert>}
      <p>
        <a href="/login" onClick={onLink}>
          Sign in
        </a>
      </p>
    </Page>
  );
}

export function Login(props: { next?: string }) {
  const { anon, reloadMe } = useHr();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    setBusy(true);
    setError("");
    const { data, error: problem } = await anon.POST("/v1/auth/login", {
      body: { email: String(form.get("email") ?? "").trim(), password: String(form.get("password") ?? "") },
    });
    if (!data) {
      setBusy(false);
      setError(
        problemKind(problem) === "email-not-verified"
          ? "Confirm your email first: follow the link we sent you (sign up again to get a new one)."
          : problemText(problem),
      );
      return;
    }
    saveTokens(data);
    const me = await reloadMe();
    setBusy(false);
    const next = props.next && props.next.startsWith("/hr") ? props.next : "/hr/invitations";
    navigate(me && me.role === "hr" && me.company_id ? next : "/hr/setup", true);
  };

  return (
    <Page title="Sign in">
      <form onSubmit={submit}>
        <Field label="Email" name="email" type="email" autocomplete="username" required />
        <Field label="Password" name="password" type="password" autocomplete="current-password" required />
        {error && <Alert>{error}</Alert>}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        <a href="/forgot-password" onClick={onLink}>
          Forgot your password?
        </a>{" "}
        ·{" "}
        <a href="/signup" onClick={onLink}>
          Create an account
        </a>
      </p>
    </Page>
  );
}

export function ForgotPassword() {
  const { anon } = useHr();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  const [error, setError] = useState("");
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    setBusy(true);
    const { data, error: problem } = await anon.POST("/v1/auth/password-reset", {
      body: { email: String(form.get("email") ?? "").trim() },
    });
    setBusy(false);
    if (data) setDone(data.detail);
    else setError(problemText(problem));
  };
  return (
    <Page title="Forgot your password?">
      {done ? (
        <Alert kind="success">{done}</Alert>
      ) : (
        <form onSubmit={submit}>
          <Field label="Email" name="email" type="email" autocomplete="username" required />
          {error && <Alert>{error}</Alert>}
          <button type="submit" disabled={busy}>
            Send me a link
          </button>
        </form>
      )}
      <p>
        <a href="/login" onClick={onLink}>
          Back to sign in
        </a>
      </p>
    </Page>
  );
}

export function ResetPassword() {
  const { anon } = useHr();
  // Read once, before the first render clears the fragment.
  const [token] = useState(() => takeFragmentToken());
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState(token ? "" : "This link has no token. Open the link from the email again.");
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const password = String(form.get("password") ?? "");
    if (password !== String(form.get("confirm") ?? "")) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    const { error: problem, response } = await anon.POST("/v1/auth/password-reset/confirm", {
      body: { token, password },
    });
    setBusy(false);
    if (response.ok) setDone(true);
    else setError(problemText(problem, "This link is not valid any more: ask for a new one."));
  };
  return (
    <Page title="Set a new password">
      {done ? (
        <Alert kind="success">Your password is changed, and every session was signed out.</Alert>
      ) : (
        <form onSubmit={submit}>
          <Field
            label="New password"
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={MIN_PASSWORD}
            required
            hint={`At least ${MIN_PASSWORD} characters.`}
          />
          <Field label="Repeat the new password" name="confirm" type="password" autocomplete="new-password" required />
          {error && <Alert>{error}</Alert>}
          <button type="submit" disabled={busy || !token}>
            Change password
          </button>
        </form>
      )}
      <p>
        <a href="/login" onClick={onLink}>
          Sign in
        </a>
      </p>
    </Page>
  );
}
