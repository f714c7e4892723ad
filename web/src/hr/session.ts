// HR's session: the access and refresh tokens of POST /v1/auth/login, kept in localStorage so a
// reload or a second tab stays signed in. localStorage is readable by any script on this origin,
// so the app loads no third-party script; the access token is short-lived and the refresh token
// is revoked on logout. A 401 is answered by one refresh (POST /v1/auth/refresh) and one retry.
import type { Middleware } from "openapi-fetch";
import { apiClient, type Api, type Schemas } from "../api/client";

const KEY = "interviews.hr.session";

export interface Session {
  access_token: string;
  refresh_token: string;
  /** Epoch ms after which the access token is expired (refreshed before use). */
  expires_at: number;
}

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

export function currentSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.access_token !== "string" || typeof s.refresh_token !== "string") return null;
    return { access_token: s.access_token, refresh_token: s.refresh_token, expires_at: Number(s.expires_at) || 0 };
  } catch {
    return null;
  }
}

export function saveTokens(pair: Schemas["TokenPair"]): Session {
  // A margin of 30 s: a token about to expire is refreshed rather than sent.
  const session = {
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    expires_at: Date.now() + (pair.expires_in - 30) * 1000,
  };
  localStorage.setItem(KEY, JSON.stringify(session));
  for (const l of listeners) l(session);
  return session;
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
  for (const l of listeners) l(null);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signing in or out changes this one too.
window.addEventListener("storage", (event) => {
  if (event.key === KEY) for (const l of listeners) l(currentSession());
});

/** The API without the session (sign-up, login, refresh, email links). */
export function publicApi(apiUrl: string): Api {
  return apiClient(apiUrl);
}

/** The API as the signed-in user; `onSignedOut` runs when the session cannot be refreshed. */
export function sessionApi(apiUrl: string, onSignedOut: () => void): Api {
  const plain = publicApi(apiUrl);
  let refreshing: Promise<Session | null> | null = null;
  const retries = new Map<string, Request>();

  // One refresh at a time: concurrent 401s wait for the same one (refresh tokens rotate).
  const refresh = (): Promise<Session | null> => {
    refreshing ??= (async () => {
      const session = currentSession();
      if (!session) return null;
      const { data } = await plain.POST("/v1/auth/refresh", { body: { refresh_token: session.refresh_token } });
      if (!data) {
        clearSession();
        onSignedOut();
        return null;
      }
      return saveTokens(data);
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };

  const auth: Middleware = {
    async onRequest({ request, id }) {
      let session = currentSession();
      if (session && session.expires_at < Date.now()) session = await refresh();
      if (!session) return request;
      request.headers.set("Authorization", `Bearer ${session.access_token}`);
      retries.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const original = retries.get(id);
      retries.delete(id);
      if (response.status !== 401 || !original) return response;
      const session = await refresh();
      if (!session) return response;
      original.headers.set("Authorization", `Bearer ${session.access_token}`);
      return fetch(original);
    },
    onError({ id }) {
      retries.delete(id);
    },
  };
  return apiClient(apiUrl, auth);
}

/** Ends the session on the server (the refresh token is revoked; the call needs the access
 * token too) and here, whatever the server answered. */
export async function logout(api: Api): Promise<void> {
  const session = currentSession();
  try {
    if (session) await api.POST("/v1/auth/logout", { body: { refresh_token: session.refresh_token } });
  } finally {
    clearSession();
  }
}
