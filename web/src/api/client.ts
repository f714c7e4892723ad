// The typed API client: generated from openapi.json (src/api/schema.d.ts, `npm run gen`), so a
// change of the API's contract breaks this build instead of a page.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Api = Client<paths>;
export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** A client for `apiUrl` whose requests pass through `middleware` (auth headers, refresh). */
export function apiClient(apiUrl: string, ...middleware: Middleware[]): Api {
  // The API's paths start with /v1: the base is the stage URL without its trailing slash.
  const client = createClient<paths>({ baseUrl: apiUrl.replace(/\/$/, "") });
  for (const m of middleware) client.use(m);
  return client;
}

/** What to tell a person about a failed call: the problem's detail, or a plain sentence. */
export function problemText(error: unknown, fallback = "Something went wrong. Please try again."): string {
  if (error && typeof error === "object") {
    const p = error as Partial<Problem> & { errors?: { field?: string; message?: string }[] };
    const fields = (p.errors ?? [])
      .map((e) => (e.field ? `${e.field}: ${e.message ?? ""}` : (e.message ?? "")))
      .filter(Boolean);
    const head = p.detail || p.title;
    if (head) return fields.length ? `${head} (${fields.join("; ")})` : head;
  }
  return fallback;
}

/** The problem's machine-readable kind (the last segment of its `type` URI), if any. */
export function problemKind(error: unknown): string | undefined {
  if (error && typeof error === "object" && "type" in error) {
    const type = String((error as { type: unknown }).type ?? "");
    return type.split("/").pop() || undefined;
  }
  return undefined;
}
