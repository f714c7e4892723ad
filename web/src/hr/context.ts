// What every HR page needs: the API as the signed-in user, the API without a session, and who
// is signed in (GET /v1/me), reloaded after the role or the company changes.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api, Schemas } from "../api/client";
import type { AppConfig } from "../config";

export interface Hr {
  config: AppConfig;
  api: Api;
  anon: Api;
  me: Schemas["UserOut"] | null;
  company: Schemas["CompanyOut"] | null;
  /** Reads /v1/me (and the company) again; resolves to the user, or null when signed out. */
  reloadMe: () => Promise<Schemas["UserOut"] | null>;
}

export const HrContext = createContext<Hr | null>(null);

export function useHr(): Hr {
  const hr = useContext(HrContext);
  if (!hr) throw new Error("useHr outside HrApp");
  return hr;
}
