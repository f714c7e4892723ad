// Where the API is: `config.json` beside index.html, written at deploy time (cdk: the web
// bucket's deployment), so one build serves every stage. `VITE_API_URL` overrides it in `vite dev`.
export interface AppConfig {
  /** The REST API's base URL, ending in "/" (the stack output ApiUrl). */
  apiUrl: string;
}

export async function loadConfig(): Promise<AppConfig> {
  const override = import.meta.env.VITE_API_URL as string | undefined;
  if (override) return { apiUrl: withSlash(override) };
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const body = (await response.json()) as Partial<AppConfig>;
  if (typeof body.apiUrl !== "string") throw new Error("config.json has no apiUrl");
  return { apiUrl: withSlash(body.apiUrl) };
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
