// Invitations: invite one candidate (the link is shown once), invite many by pasting CSV (a
// report per row), and the list with filters, live pipeline status, resend, extend and cancel.
import { useEffect, useState } from "preact/hooks";
import { problemText, type Schemas } from "../api/client";
import { Alert, Field, Page } from "../ui/components";
import { navigate, onLink, useLocation } from "../ui/router";
import { useHr } from "./context";
import { candidatesFromCsv } from "./csv";
import { idempotencyKey, usePoll, when, words } from "./format";

type Invitation = Schemas["InvitationOut"];
type Summary = Schemas["TemplateSummary"];
type InvitationStatus = Invitation["status"];
type Analysis = Schemas["AnalysisView"];

const STATUSES: InvitationStatus[] = ["pending", "in_progress", "completed", "expired", "cancelled"];
const POLL_MS = 3000;

/** What the pipeline is doing, in a few words (unknown statuses are shown as they are). */
export function pipelineText(invitation: Invitation, analysis: Analysis | null | undefined): string {
  // Answers are analysed as they arrive: how many are scored so far.
  const progress = analysis?.progress ?? [];
  const scored = progress.length ? ` · ${progress.filter((p) => p.status === "scored").length} of ${progress.length} answers scored` : "";
  if (invitation.status === "in_progress") return `Interview in progress${scored}`;
  if (invitation.status !== "completed") return "—";
  if (!analysis) return "Queued for analysis";
  switch (analysis.status) {
    case "waiting":
      return `Processing media${scored}`;
    case "running":
      return `Analysing${scored}`;
    case "completed":
      return analysis.overall != null
        ? `Analysed: ${Math.round(analysis.overall)}/100${analysis.recommendation ? `, ${analysis.recommendation}` : ""}`
        : "Analysed";
    case "failed":
      return "Analysis failed";
    default:
      return words(String(analysis.status));
  }
}

/** Whether the pipeline may still change by itself (worth polling). */
export function pipelineBusy(invitation: Invitation, analysis: Analysis | null | undefined): boolean {
  if (invitation.status === "in_progress") return true;
  if (invitation.status !== "completed") return false;
  return !analysis || analysis.status === "waiting" || analysis.status === "running";
}

/** The company's templates (null while loading). */
function useTemplates(status?: "active"): Summary[] | null {
  const { api } = useHr();
  const [items, setItems] = useState<Summary[] | null>(null);
  useEffect(() => {
    void api
      .GET("/v1/templates", { params: { query: { limit: 100, ...(status ? { status } : {}) } } })
      .then(({ data }) => setItems(data?.items ?? []));
  }, [status]);
  return items;
}

export function InvitationsPage() {
  const { query } = useLocation();
  const active = useTemplates("active");
  const all = useTemplates();
  const [tab, setTab] = useState<"one" | "bulk">("one");
  const [created, setCreated] = useState(0);
  const preselected = query.get("template") ?? "";
  return (
    <Page title="Invitations" wide>
      <section class="panel" aria-labelledby="invite-h">
        <h2 id="invite-h">Invite candidates</h2>
        <div class="row tabs" role="group" aria-label="How to invite">
          <button type="button" class={tab === "one" ? "" : "secondary"} aria-pressed={tab === "one"} onClick={() => setTab("one")}>
            One candidate
          </button>
          <button type="button" class={tab === "bulk" ? "" : "secondary"} aria-pressed={tab === "bulk"} onClick={() => setTab("bulk")}>
            Many (paste CSV)
          </button>
        </div>
        {active === null ? (
          <p>Loading the templates…</p>
        ) : active.length === 0 ? (
          <Alert kind="info">
            Publish a template first:{" "}
            <a href="/hr/templates" onClick={onLink}>
              templates
            </a>
            .
          </Alert>
        ) : tab === "one" ? (
          <InviteOne templates={active} preselected={preselected} onCreated={() => setCreated((n) => n + 1)} />
        ) : (
          <InviteMany templates={active} preselected={preselected} onCreated={() => setCreated((n) => n + 1)} />
        )}
      </section>
      <InvitationList templates={all ?? []} refresh={created} />
    </Page>
  );
}

function TemplateSelect(props: { id: string; templates: Summary[]; preselected: string }) {
  const chosen = props.templates.some((t) => t.id === props.preselected) ? props.preselected : props.templates[0]?.id;
  return (
    <div class="field">
      <label for={props.id}>Interview template</label>
      <select id={props.id} name="template_id" required defaultValue={chosen}>
        {props.templates.map((t) => (
          <option value={t.id} selected={t.id === chosen}>
            {t.title}
          </option>
        ))}
      </select>
    </div>
  );
}

function LinkOnce({ invitation }: { invitation: Schemas["InvitationWithLink"] }) {
  const [copied, setCopied] = useState(false);
  if (!invitation.link_url) return <Alert kind="info">The link was shown once already; resend the invitation to get a new one.</Alert>;
  return (
    <div class="alert success" role="status">
      <p>
        Invitation for <strong>{invitation.candidate_name}</strong> created and emailed. Their link is shown only this once:
      </p>
      <div class="row">
        <label for="invitation-link" class="sr-only">
          Interview link
        </label>
        <input id="invitation-link" class="link" readOnly value={invitation.link_url} data-testid="invitation-link" onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button
          type="button"
          class="secondary"
          onClick={() => void navigator.clipboard?.writeText(invitation.link_url ?? "").then(() => setCopied(true))}
        >
          {copied ? "Copied" : "Copy link"}
        </button>
      </div>
    </div>
  );
}

function InviteOne(props: { templates: Summary[]; preselected: string; onCreated: () => void }) {
  const { api } = useHr();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [created, setCreated] = useState<Schemas["InvitationWithLink"] | null>(null);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const formEl = event.target as HTMLFormElement;
    const form = new FormData(formEl);
    setBusy(true);
    setError("");
    const { data, error: problem } = await api.POST("/v1/invitations", {
      params: { header: { "Idempotency-Key": idempotencyKey() } },
      body: {
        template_id: String(form.get("template_id")),
        candidate_name: String(form.get("candidate_name") ?? "").trim(),
        candidate_email: String(form.get("candidate_email") ?? "").trim(),
        expires_in_days: Number(form.get("expires_in_days") || 7),
      },
    });
    setBusy(false);
    if (!data) return setError(problemText(problem));
    setCreated(data);
    formEl.reset();
    props.onCreated();
  };
  return (
    <form onSubmit={submit} aria-label="Invite one candidate">
      <div class="grid4">
        <TemplateSelect id="invite-template" templates={props.templates} preselected={props.preselected} />
        <Field label="Candidate's name" id="invite-name" name="candidate_name" required maxLength={200} autocomplete="off" />
        <Field label="Candidate's email" id="invite-email" name="candidate_email" type="email" required maxLength={254} autocomplete="off" />
        <Field label="Link valid for (days)" id="invite-days" name="expires_in_days" type="number" min={1} max={30} defaultValue="7" />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Inviting…" : "Send invitation"}
      </button>
      <div aria-live="polite">
        {error && <Alert>{error}</Alert>}
        {created && <LinkOnce invitation={created} />}
      </div>
    </form>
  );
}

function InviteMany(props: { templates: Summary[]; preselected: string; onCreated: () => void }) {
  const { api } = useHr();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [report, setReport] = useState<{ rows: ReturnType<typeof candidatesFromCsv>; answer: Schemas["BulkReport"] } | null>(null);
  const rows = candidatesFromCsv(text);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    if (rows.length === 0) return setError("Paste at least one row: name, email.");
    if (rows.length > 100) return setError(`At most 100 candidates at once (${rows.length} rows).`);
    setBusy(true);
    setError("");
    const { data, error: problem } = await api.POST("/v1/invitations/bulk", {
      body: {
        template_id: String(form.get("template_id")),
        expires_in_days: Number(form.get("expires_in_days") || 7),
        candidates: rows,
      },
    });
    setBusy(false);
    if (!data) return setError(problemText(problem));
    setReport({ rows, answer: data });
    props.onCreated();
  };
  return (
    <form onSubmit={submit} aria-label="Invite many candidates">
      <div class="grid2">
        <TemplateSelect id="bulk-template" templates={props.templates} preselected={props.preselected} />
        <Field label="Links valid for (days)" id="bulk-days" name="expires_in_days" type="number" min={1} max={30} defaultValue="7" />
      </div>
      <div class="field">
        <label for="bulk-csv">Candidates as CSV</label>
        <textarea
          id="bulk-csv"
          rows={6}
          value={text}
          aria-describedby="bulk-csv-hint"
          placeholder={"name,email\nAda Lovelace,ada@example.com"}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
        <p class="hint" id="bulk-csv-hint">
          One candidate a line: name, email (a header row is optional; up to 100 rows). {rows.length} row{rows.length === 1 ? "" : "s"} read.
        </p>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Inviting…" : `Invite ${rows.length} candidate${rows.length === 1 ? "" : "s"}`}
      </button>
      <div aria-live="polite">
        {error && <Alert>{error}</Alert>}
        {report && (
          <div class="report" data-testid="bulk-report">
            <Alert kind={report.answer.created ? "success" : "error"}>
              {report.answer.created} created, {report.answer.duplicate} duplicate, {report.answer.invalid} invalid.
            </Alert>
            <table>
              <caption class="sr-only">One line per pasted row</caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Result</th>
                  <th scope="col">Link (shown once) or problem</th>
                </tr>
              </thead>
              <tbody>
                {report.answer.results.map((r) => {
                  const row = report.rows[r.index];
                  return (
                    <tr key={r.index} class={`bulk-${r.status}`}>
                      <td>{r.index + 1}</td>
                      <td>{row?.candidate_name ?? "—"}</td>
                      <td>{row?.candidate_email ?? "—"}</td>
                      <td>{words(r.status)}</td>
                      <td class="break">{r.invitation?.link_url ?? r.error ?? ""}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </form>
  );
}

function InvitationList(props: { templates: Summary[]; refresh: number }) {
  const { api } = useHr();
  const { query } = useLocation();
  const status = (query.get("status") ?? "") as InvitationStatus | "";
  const template = query.get("template") ?? "";
  const [items, setItems] = useState<Invitation[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [analyses, setAnalyses] = useState<Record<string, Analysis | null>>({});
  const [error, setError] = useState("");
  const [notice, setNotice] = useState<preact.ComponentChildren>(null);
  const [extending, setExtending] = useState<string | null>(null);

  const params = (after?: string | null) => ({
    params: {
      query: {
        limit: 20,
        ...(status ? { status } : {}),
        ...(template ? { template_id: template } : {}),
        ...(after ? { cursor: after } : {}),
      },
    },
  });

  const analysesOf = async (list: Invitation[], known: Record<string, Analysis | null>): Promise<void> => {
    const wanted = list.filter((i) => (i.status === "completed" || i.status === "in_progress") && pipelineBusy(i, known[i.id]));
    if (wanted.length === 0) return;
    const answers = await Promise.all(
      wanted.map((i) =>
        api.GET("/v1/invitations/{invitation_id}/analysis", { params: { path: { invitation_id: i.id } } }).then(({ data }) => [i.id, data ?? null] as const),
      ),
    );
    setAnalyses((a) => ({ ...a, ...Object.fromEntries(answers) }));
  };

  const load = async (): Promise<void> => {
    const { data, error: problem } = await api.GET("/v1/invitations", params());
    if (!data) return setError(problemText(problem));
    setError("");
    setItems(data.items);
    setCursor(data.next_cursor);
    await analysesOf(data.items, analyses);
  };
  useEffect(() => void load(), [status, template, props.refresh]);

  const busy = (items ?? []).some((i) => pipelineBusy(i, analyses[i.id]));
  // While an interview or its pipeline is in progress, the list follows it every few seconds.
  usePoll(busy, POLL_MS, async () => {
    const { data } = await api.GET("/v1/invitations", params());
    if (!data) return;
    setItems((old) => {
      const fresh = new Map(data.items.map((i) => [i.id, i]));
      return (old ?? []).map((i) => fresh.get(i.id) ?? i);
    });
    await analysesOf(data.items, analyses);
  });

  const more = async (): Promise<void> => {
    const { data } = await api.GET("/v1/invitations", params(cursor));
    if (!data) return;
    setItems((old) => [...(old ?? []), ...data.items]);
    setCursor(data.next_cursor);
    await analysesOf(data.items, analyses);
  };

  const filter = (key: "status" | "template", value: string): void => {
    const q = new URLSearchParams(location.search);
    if (value) q.set(key, value);
    else q.delete(key);
    const s = q.toString();
    navigate(`/hr/invitations${s ? `?${s}` : ""}`, true);
  };

  const replace = (i: Invitation): void => setItems((old) => (old ?? []).map((x) => (x.id === i.id ? { ...x, ...i } : x)));
  const path = (i: Invitation) => ({ params: { path: { invitation_id: i.id } } });

  const resend = async (i: Invitation): Promise<void> => {
    const { data, error: problem } = await api.POST("/v1/invitations/{invitation_id}/resend", path(i));
    if (!data) return setError(problemText(problem));
    replace(data);
    setError("");
    setNotice(<LinkOnce invitation={data} />);
  };
  const cancel = async (i: Invitation): Promise<void> => {
    if (!confirm(`Cancel the invitation of ${i.candidate_name}? Their link stops working.`)) return;
    const { data, error: problem } = await api.POST("/v1/invitations/{invitation_id}/cancel", path(i));
    if (!data) return setError(problemText(problem));
    await load();
    setNotice(<Alert kind="success">The invitation of {i.candidate_name} is cancelled.</Alert>);
  };
  const extend = async (event: Event, i: Invitation): Promise<void> => {
    event.preventDefault();
    const days = Number(new FormData(event.target as HTMLFormElement).get("days") || 7);
    const { data, error: problem } = await api.POST("/v1/invitations/{invitation_id}/extend", { ...path(i), body: { days } });
    if (!data) return setError(problemText(problem));
    replace(data);
    setExtending(null);
    setNotice(
      <Alert kind="success">
        The link of {i.candidate_name} is valid until {when(data.expires_at)}.
      </Alert>,
    );
  };

  return (
    <section aria-labelledby="list-h">
      <h2 id="list-h">All invitations</h2>
      <div class="row filters">
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(e) => filter("status", (e.target as HTMLSelectElement).value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option value={s}>{words(s)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-template">Template</label>
          <select id="filter-template" value={template} onChange={(e) => filter("template", (e.target as HTMLSelectElement).value)}>
            <option value="">Any template</option>
            {props.templates.map((t) => (
              <option value={t.id}>{t.title}</option>
            ))}
          </select>
        </div>
        <p class="hint" aria-live="polite">
          {busy ? "Live: updating every few seconds." : ""}
        </p>
      </div>
      <div aria-live="polite">
        {error && <Alert>{error}</Alert>}
        {notice}
      </div>
      {items === null ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No invitations match.</p>
      ) : (
        <table class="invitations">
          <thead>
            <tr>
              <th scope="col">Candidate</th>
              <th scope="col">Template</th>
              <th scope="col">Status</th>
              <th scope="col">Pipeline</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} data-invitation-id={i.id}>
                <td>
                  <a href={`/hr/invitations/${i.id}`} onClick={onLink}>
                    {i.candidate_name}
                  </a>
                  <br />
                  <span class="hint">{i.candidate_email}</span>
                </td>
                <td>{i.template_title}</td>
                <td>
                  <span class={`badge s-${i.status}`} data-testid="invitation-status">
                    {words(i.status)}
                  </span>
                </td>
                <td data-testid="pipeline-status">{pipelineText(i, analyses[i.id])}</td>
                <td>{when(i.expires_at)}</td>
                <td>
                  <div class="row">
                    {(i.status === "pending" || i.status === "expired" || i.status === "in_progress") && (
                      <button type="button" class="secondary" aria-label={`Resend to ${i.candidate_name}`} onClick={() => void resend(i)}>
                        Resend
                      </button>
                    )}
                    {i.status !== "completed" && i.status !== "cancelled" && (
                      <button type="button" class="secondary" aria-label={`Extend the link of ${i.candidate_name}`} aria-expanded={extending === i.id} onClick={() => setExtending(extending === i.id ? null : i.id)}>
                        Extend
                      </button>
                    )}
                    {(i.status === "pending" || i.status === "in_progress") && (
                      <button type="button" class="danger" aria-label={`Cancel the invitation of ${i.candidate_name}`} onClick={() => void cancel(i)}>
                        Cancel
                      </button>
                    )}
                  </div>
                  {extending === i.id && (
                    <form class="row" onSubmit={(e) => void extend(e, i)}>
                      <Field label="Extend by days" id={`extend-${i.id}`} name="days" type="number" min={1} max={30} defaultValue="7" />
                      <button type="submit">Extend</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" class="secondary" onClick={() => void more()}>
          Show more
        </button>
      )}
    </section>
  );
}
