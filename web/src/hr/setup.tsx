// After the first sign-in: the account becomes an HR account (POST /v1/me/role) and its company
// is created (POST /v1/companies), as scripts/main_job.py does.
import { useState } from "preact/hooks";
import { problemText } from "../api/client";
import { Alert, Field, Page } from "../ui/components";
import { navigate } from "../ui/router";
import { useHr } from "./context";
import { idempotencyKey } from "./format";

const SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+"] as const;

export function CompanySetup() {
  const { api, me, company, reloadMe } = useHr();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [key] = useState(idempotencyKey);

  if (me && me.role !== "hr" && me.role !== "pending")
    return (
      <Page title="Company setup">
        <Alert>This account is a {me.role} account; HR's workspace needs an HR account.</Alert>
      </Page>
    );
  if (company)
    return (
      <Page title="Your company">
        <dl class="facts">
          <dt>Name</dt>
          <dd>{company.name}</dd>
          <dt>Website</dt>
          <dd>{company.website ?? "—"}</dd>
          <dt>Industry</dt>
          <dd>{company.industry ?? "—"}</dd>
          <dt>Size</dt>
          <dd>{company.size_band ?? "—"}</dd>
        </dl>
      </Page>
    );

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    setBusy(true);
    setError("");
    if (me?.role === "pending") {
      const { error: problem } = await api.POST("/v1/me/role", { body: { role: "hr" } });
      if (problem) {
        setBusy(false);
        setError(problemText(problem));
        return;
      }
    }
    const text = (name: string): string | null => String(form.get(name) ?? "").trim() || null;
    const size = text("size_band") as (typeof SIZES)[number] | null;
    const { data, error: problem } = await api.POST("/v1/companies", {
      params: { header: { "Idempotency-Key": key } },
      body: { name: text("name") ?? "", website: text("website"), industry: text("industry"), size_band: size },
    });
    if (!data) {
      setBusy(false);
      setError(problemText(problem));
      return;
    }
    await reloadMe();
    setBusy(false);
    navigate("/hr/templates", true);
  };

  return (
    <Page title="Set up your company">
      <p>Your account becomes an HR account of this company: you build interviews and invite candidates for it.</p>
      <form onSubmit={submit}>
        <Field label="Company name" name="name" required maxLength={255} autocomplete="organization" />
        <Field label="Website" name="website" type="url" placeholder="https://example.com" hint="Optional." />
        <Field label="Industry" name="industry" maxLength={100} hint="Optional." />
        <div class="field">
          <label for="f-size">Company size</label>
          <select id="f-size" name="size_band">
            <option value="">Not said</option>
            {SIZES.map((s) => (
              <option value={s}>{s} people</option>
            ))}
          </select>
        </div>
        {error && <Alert>{error}</Alert>}
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Create company"}
        </button>
      </form>
    </Page>
  );
}
