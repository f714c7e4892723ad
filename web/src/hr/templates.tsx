// Templates: the list (create, open, duplicate, archive) and the builder of one template
// (details, settings, scoring weights; questions of every type, reorder, delete; publish).
import { useEffect, useState } from "preact/hooks";
import { problemText, type Schemas } from "../api/client";
import { Alert, Field, Page } from "../ui/components";
import { navigate, onLink, useLocation } from "../ui/router";
import { useHr } from "./context";
import { clock, idempotencyKey, words } from "./format";

type Template = Schemas["TemplateOut"];
type Summary = Schemas["TemplateSummary"];
type Question = Schemas["QuestionOut"];
type Status = Summary["status"];

const STATUSES: Status[] = ["draft", "active", "archived"];
export const CRITERIA = ["relevance", "completeness", "clarity", "depth"] as const;
type Criterion = (typeof CRITERIA)[number];

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge s-${status}`}>{words(status === "active" ? "published" : status)}</span>;
}

export function TemplateList() {
  const { api } = useHr();
  const { query } = useLocation();
  const status = (query.get("status") ?? "") as Status | "";
  const [items, setItems] = useState<Summary[] | null>(null);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);

  const load = async (): Promise<void> => {
    const { data, error: problem } = await api.GET("/v1/templates", {
      params: { query: { limit: 100, ...(status ? { status } : {}) } },
    });
    if (data) setItems(data.items);
    else setError(problemText(problem));
  };
  useEffect(() => void load(), [status]);

  const create = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    setBusy(true);
    const description = String(form.get("description") ?? "").trim();
    const { data, error: problem } = await api.POST("/v1/templates", {
      body: { title: String(form.get("title") ?? "").trim(), description: description || null },
    });
    setBusy(false);
    if (data) navigate(`/hr/templates/${data.id}`);
    else setError(problemText(problem));
  };

  const act = async (t: Summary, action: "duplicate" | "archive"): Promise<void> => {
    setError("");
    const path = { params: { path: { template_id: t.id } } };
    if (action === "duplicate") {
      const { data, error: problem } = await api.POST("/v1/templates/{template_id}/duplicate", {
        params: { path: { template_id: t.id }, header: { "Idempotency-Key": idempotencyKey() } },
      });
      if (data) navigate(`/hr/templates/${data.id}`);
      else setError(problemText(problem));
      return;
    }
    const { error: problem } = await api.POST("/v1/templates/{template_id}/archive", path);
    if (problem) setError(problemText(problem));
    else {
      setNotice(`“${t.title}” is archived.`);
      await load();
    }
  };

  return (
    <Page title="Interview templates" wide>
      <form class="panel" onSubmit={create} aria-labelledby="new-template">
        <h2 id="new-template">New template</h2>
        <div class="grid2">
          <Field label="Title" name="title" required maxLength={200} placeholder="Backend engineer" />
          <Field label="Description" name="description" maxLength={1000} hint="Optional; candidates see it." />
        </div>
        <button type="submit" disabled={busy}>
          Create template
        </button>
      </form>
      <div class="row">
        <label for="f-template-status">Show</label>
        <select
          id="f-template-status"
          value={status}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            navigate(v ? `/hr/templates?status=${v}` : "/hr/templates", true);
          }}
        >
          <option value="">All templates</option>
          {STATUSES.map((s) => (
            <option value={s}>{words(s === "active" ? "published" : s)}</option>
          ))}
        </select>
      </div>
      <div aria-live="polite">
        {error && <Alert>{error}</Alert>}
        {notice && <Alert kind="success">{notice}</Alert>}
      </div>
      {items === null ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No templates yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Questions</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.id}>
                <td>
                  <a href={`/hr/templates/${t.id}`} onClick={onLink}>
                    {t.title}
                  </a>
                </td>
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td>{t.question_count}</td>
                <td class="row">
                  <button type="button" class="secondary" onClick={() => void act(t, "duplicate")} aria-label={`Duplicate ${t.title}`}>
                    Duplicate
                  </button>
                  {t.status !== "archived" && (
                    <button type="button" class="secondary" onClick={() => void act(t, "archive")} aria-label={`Archive ${t.title}`}>
                      Archive
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

/** The builder's question kinds: multiple choice with one or with several correct options. */
type Kind = "video" | "audio" | "text" | "single" | "multi";
const KINDS: { kind: Kind; label: string }[] = [
  { kind: "video", label: "Video answer" },
  { kind: "audio", label: "Audio answer" },
  { kind: "text", label: "Written answer" },
  { kind: "single", label: "Multiple choice, one answer" },
  { kind: "multi", label: "Multiple choice, several answers" },
];

function kindOf(q: Question): Kind {
  if (q.type !== "multiple_choice") return q.type;
  return (q.options ?? []).filter((o) => o.correct).length > 1 ? "multi" : "single";
}

export function kindLabel(q: Question): string {
  return KINDS.find((k) => k.kind === kindOf(q))?.label ?? q.type;
}

export function TemplateBuilder({ id }: { id: string }) {
  const { api } = useHr();
  const [template, setTemplate] = useState<Template | null>(null);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [editing, setEditing] = useState<string | null>(null);

  const load = async (): Promise<void> => {
    const { data, error: problem } = await api.GET("/v1/templates/{template_id}", {
      params: { path: { template_id: id } },
    });
    if (data) setTemplate(data);
    else setError(problemText(problem));
  };
  useEffect(() => void load(), [id]);

  if (!template) return <Page title="Template">{error ? <Alert>{error}</Alert> : <p>Loading…</p>}</Page>;
  const draft = template.status === "draft";
  const path = { params: { path: { template_id: template.id } } };
  const say = (text: string): void => {
    setError("");
    setNotice(text);
  };
  const fail = (problem: unknown): void => {
    setNotice("");
    setError(problemText(problem));
  };
  const withVersion = (version: number, questions?: Question[]): void =>
    setTemplate((t) => (t ? { ...t, version, ...(questions ? { questions, question_count: questions.length } : {}) } : t));

  const move = async (index: number, by: -1 | 1): Promise<void> => {
    const ids = template.questions.map((q) => q.id);
    const target = index + by;
    if (target < 0 || target >= ids.length) return;
    [ids[index], ids[target]] = [ids[target] as string, ids[index] as string];
    const { data, error: problem } = await api.PUT("/v1/templates/{template_id}/questions/order", {
      ...path,
      body: { question_ids: ids },
    });
    if (!data) return fail(problem);
    withVersion(data.template_version, data.questions);
    say(`Question moved to position ${target + 1}.`);
    // Keep the focus on the button that moved, now at its new place.
    requestAnimationFrame(() =>
      document.querySelector<HTMLButtonElement>(`[data-move="${by < 0 ? "up" : "down"}"][data-question="${ids[target]}"]`)?.focus(),
    );
  };

  const remove = async (q: Question): Promise<void> => {
    if (!confirm(`Delete the question “${q.text}”?`)) return;
    const { data, error: problem } = await api.DELETE("/v1/templates/{template_id}/questions/{question_id}", {
      params: { path: { template_id: template.id, question_id: q.id } },
    });
    if (!data) return fail(problem);
    withVersion(
      data.template_version,
      template.questions.filter((x) => x.id !== q.id),
    );
    say("Question deleted.");
  };

  const publish = async (): Promise<void> => {
    const { data, error: problem } = await api.POST("/v1/templates/{template_id}/publish", path);
    if (!data) return fail(problem);
    setTemplate(data);
    say("Published: you can invite candidates to this interview now.");
  };
  const archive = async (): Promise<void> => {
    const { data, error: problem } = await api.POST("/v1/templates/{template_id}/archive", path);
    if (!data) return fail(problem);
    setTemplate(data);
    say("Archived.");
  };
  const duplicate = async (): Promise<void> => {
    const { data, error: problem } = await api.POST("/v1/templates/{template_id}/duplicate", {
      params: { path: { template_id: template.id }, header: { "Idempotency-Key": idempotencyKey() } },
    });
    if (!data) return fail(problem);
    navigate(`/hr/templates/${data.id}`);
    setTemplate(data);
    say("This is a new draft copy.");
  };
  const destroy = async (): Promise<void> => {
    if (!confirm(`Delete the draft “${template.title}”?`)) return;
    const { error: problem, response } = await api.DELETE("/v1/templates/{template_id}", path);
    if (!response.ok) return fail(problem);
    navigate("/hr/templates");
  };

  return (
    <Page title={template.title} wide>
      <p class="row">
        <StatusBadge status={template.status} />
        <span>
          Version {template.version} · {template.questions.length} question{template.questions.length === 1 ? "" : "s"}
        </span>
        <a href="/hr/templates" onClick={onLink}>
          All templates
        </a>
      </p>
      <div aria-live="polite" class="live">
        {error && <Alert>{error}</Alert>}
        {notice && <Alert kind="success">{notice}</Alert>}
      </div>
      <div class="row actions">
        {draft && (
          <button type="button" onClick={() => void publish()} disabled={template.questions.length === 0}>
            Publish
          </button>
        )}
        {template.status === "active" && (
          <a class="button" href={`/hr/invitations?template=${template.id}`} onClick={onLink}>
            Invite candidates
          </a>
        )}
        <button type="button" class="secondary" onClick={() => void duplicate()}>
          Duplicate
        </button>
        {template.status !== "archived" && (
          <button type="button" class="secondary" onClick={() => void archive()}>
            Archive
          </button>
        )}
        {draft && (
          <button type="button" class="danger" onClick={() => void destroy()}>
            Delete draft
          </button>
        )}
      </div>
      {!draft && (
        <Alert kind="info">
          {template.status === "active"
            ? "A published template's questions, settings and weights are frozen: duplicate it to change them."
            : "An archived template is read-only."}
        </Alert>
      )}

      <Details key={template.id} template={template} onSaved={(t) => (setTemplate(t), say("Saved."))} onError={fail} />

      <section aria-labelledby="questions-h">
        <h2 id="questions-h">Questions</h2>
        {template.questions.length === 0 && <p>No questions yet: add the first one below.</p>}
        <ol class="questions">
          {template.questions.map((q, i) => (
            <li key={q.id} class="question panel" data-question-id={q.id} aria-label={`Question ${i + 1}`}>
              {editing === q.id ? (
                <QuestionForm
                  templateId={template.id}
                  question={q}
                  defaults={template.settings}
                  onDone={(version, saved) => {
                    setEditing(null);
                    if (saved) withVersion(version, template.questions.map((x) => (x.id === saved.id ? saved : x)));
                    if (saved) say("Question saved.");
                  }}
                  onError={fail}
                />
              ) : (
                <QuestionView q={q} />
              )}
              {draft && editing !== q.id && (
                <div class="row">
                  <button
                    type="button"
                    class="secondary"
                    data-move="up"
                    data-question={q.id}
                    disabled={i === 0}
                    aria-label={`Move question ${i + 1} up`}
                    onClick={() => void move(i, -1)}
                  >
                    ↑ Up
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    data-move="down"
                    data-question={q.id}
                    disabled={i === template.questions.length - 1}
                    aria-label={`Move question ${i + 1} down`}
                    onClick={() => void move(i, 1)}
                  >
                    ↓ Down
                  </button>
                  <button type="button" class="secondary" aria-label={`Edit question ${i + 1}`} onClick={() => setEditing(q.id)}>
                    Edit
                  </button>
                  <button type="button" class="danger" aria-label={`Delete question ${i + 1}`} onClick={() => void remove(q)}>
                    Delete
                  </button>
                </div>
              )}
            </li>
          ))}
        </ol>
        {draft && (
          <div class="panel">
            <h3>Add a question</h3>
            <QuestionForm
              key={template.questions.length}
              templateId={template.id}
              defaults={template.settings}
              onDone={(version, saved) => {
                if (!saved) return;
                withVersion(version, [...template.questions, saved]);
                say(`Question ${template.questions.length + 1} added.`);
              }}
              onError={fail}
            />
          </div>
        )}
      </section>
    </Page>
  );
}

function QuestionView({ q }: { q: Question }) {
  return (
    <div>
      <p class="q-head">
        <span class="badge">{kindLabel(q)}</span> <strong class="q-text">{q.text}</strong>
      </p>
      <p class="hint">
        Time limit {clock(q.time_limit_s)} · think time {q.think_time_s} s · {q.max_retakes} retake{q.max_retakes === 1 ? "" : "s"}
        {q.required ? " · required" : " · optional"}
      </p>
      {q.rubric && (
        <p>
          <strong>Rubric:</strong> {q.rubric}
        </p>
      )}
      {q.hints.length > 0 && (
        <p>
          <strong>Hints:</strong> {q.hints.join(" · ")}
        </p>
      )}
      {q.options && (
        <ul class="options">
          {q.options.map((o) => (
            <li>
              {o.correct ? "✔" : "○"} {o.text}
              {o.correct && <span class="sr-only"> (correct)</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface OptionDraft {
  text: string;
  correct: boolean;
}

function QuestionForm(props: {
  templateId: string;
  question?: Question;
  defaults: Schemas["TemplateSettings"];
  onDone: (version: number, saved: Question | null) => void;
  onError: (problem: unknown) => void;
}) {
  const { api } = useHr();
  const q = props.question;
  const [kind, setKind] = useState<Kind>(q ? kindOf(q) : "video");
  const [options, setOptions] = useState<OptionDraft[]>(
    q?.options?.map((o) => ({ text: o.text, correct: o.correct })) ?? [
      { text: "", correct: true },
      { text: "", correct: false },
    ],
  );
  const [busy, setBusy] = useState(false);
  const prefix = q ? `q-${q.id.slice(0, 8)}` : "q-new";
  const media = kind === "video" || kind === "audio";
  const choice = kind === "single" || kind === "multi";

  const setOption = (i: number, change: Partial<OptionDraft>): void =>
    setOptions((list) =>
      list.map((o, j) => {
        if (j === i) return { ...o, ...change };
        // One answer: marking one option correct unmarks the others.
        if (kind === "single" && change.correct) return { ...o, correct: false };
        return o;
      }),
    );

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const num = (name: string): number | undefined => {
      const raw = String(form.get(name) ?? "").trim();
      return raw === "" ? undefined : Number(raw);
    };
    const hints = String(form.get("hints") ?? "")
      .split("\n")
      .map((h) => h.trim())
      .filter(Boolean);
    const rubric = String(form.get("rubric") ?? "").trim();
    const body = {
      type: choice ? ("multiple_choice" as const) : kind,
      text: String(form.get("text") ?? "").trim(),
      time_limit_s: num("time_limit_s") ?? 120,
      think_time_s: num("think_time_s") ?? null,
      max_retakes: num("max_retakes") ?? 0,
      required: form.get("required") === "on",
      hints,
      rubric: rubric || null,
      options: choice ? options.map((o) => ({ text: o.text.trim(), correct: o.correct })) : null,
    };
    setBusy(true);
    if (q) {
      const { data, error } = await api.PATCH("/v1/templates/{template_id}/questions/{question_id}", {
        params: { path: { template_id: props.templateId, question_id: q.id } },
        body,
      });
      setBusy(false);
      if (data?.question) props.onDone(data.template_version, data.question);
      else props.onError(error);
      return;
    }
    const { data, error } = await api.POST("/v1/templates/{template_id}/questions", {
      params: { path: { template_id: props.templateId } },
      body,
    });
    setBusy(false);
    if (data?.question) props.onDone(data.template_version, data.question);
    else props.onError(error);
  };

  return (
    <form onSubmit={submit} class="question-form" aria-label={q ? "Edit question" : "New question"}>
      <div class="field">
        <label for={`${prefix}-kind`}>Question type</label>
        <select id={`${prefix}-kind`} value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
          {KINDS.map((k) => (
            <option value={k.kind}>{k.label}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={`${prefix}-text`}>Question</label>
        <textarea id={`${prefix}-text`} name="text" required minLength={10} maxLength={500} rows={2} defaultValue={q?.text} />
        <p class="hint">10 to 500 characters.</p>
      </div>
      <div class="grid3">
        <Field
          id={`${prefix}-limit`}
          label={media ? "Answer time limit (seconds)" : "Time limit (seconds)"}
          name="time_limit_s"
          type="number"
          min={30}
          max={600}
          required
          defaultValue={String(q?.time_limit_s ?? 120)}
        />
        <Field
          id={`${prefix}-think`}
          label="Think time (seconds)"
          name="think_time_s"
          type="number"
          min={0}
          max={600}
          defaultValue={q ? String(q.think_time_s) : ""}
          placeholder={String(props.defaults.think_time_default_s ?? 30)}
          hint="Empty: the template's default."
        />
        <Field
          id={`${prefix}-retakes`}
          label="Retakes allowed"
          name="max_retakes"
          type="number"
          min={0}
          max={10}
          defaultValue={String(q?.max_retakes ?? (media ? 1 : 0))}
        />
      </div>
      <div class="check">
        <input id={`${prefix}-required`} type="checkbox" name="required" defaultChecked={q?.required ?? true} />
        <label for={`${prefix}-required`}>Required</label>
      </div>
      {choice && (
        <fieldset class="options-edit">
          <legend>Options ({kind === "single" ? "mark the correct one" : "mark every correct one"})</legend>
          {options.map((o, i) => (
            <div class="row option" key={i}>
              <label for={`${prefix}-opt-${i}`} class="sr-only">
                Option {i + 1}
              </label>
              <input
                id={`${prefix}-opt-${i}`}
                value={o.text}
                required
                maxLength={500}
                placeholder={`Option ${i + 1}`}
                onInput={(e) => setOption(i, { text: (e.target as HTMLInputElement).value })}
              />
              <input
                id={`${prefix}-opt-${i}-correct`}
                type={kind === "single" ? "radio" : "checkbox"}
                name={`${prefix}-correct`}
                checked={o.correct}
                onChange={(e) => setOption(i, { correct: (e.target as HTMLInputElement).checked })}
              />
              <label for={`${prefix}-opt-${i}-correct`}>Option {i + 1} is correct</label>
              <button
                type="button"
                class="secondary"
                disabled={options.length <= 2}
                aria-label={`Remove option ${i + 1}`}
                onClick={() => setOptions((list) => list.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            class="secondary"
            disabled={options.length >= 10}
            onClick={() => setOptions((list) => [...list, { text: "", correct: false }])}
          >
            Add an option
          </button>
        </fieldset>
      )}
      <div class="field">
        <label for={`${prefix}-rubric`}>Rubric: what a good answer has</label>
        <textarea id={`${prefix}-rubric`} name="rubric" maxLength={2000} rows={2} defaultValue={q?.rubric ?? ""} />
        <p class="hint">Optional; the analysis scores the answer against it.</p>
      </div>
      <div class="field">
        <label for={`${prefix}-hints`}>Hints for the candidate</label>
        <textarea id={`${prefix}-hints`} name="hints" rows={2} defaultValue={q?.hints.join("\n") ?? ""} />
        <p class="hint">Optional; one per line.</p>
      </div>
      <div class="row">
        <button type="submit" disabled={busy}>
          {q ? "Save question" : "Add question"}
        </button>
        {q && (
          <button type="button" class="secondary" onClick={() => props.onDone(0, null)}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function Details(props: { template: Template; onSaved: (t: Template) => void; onError: (problem: unknown) => void }) {
  const { api } = useHr();
  const t = props.template;
  const draft = t.status === "draft";
  const initial = Object.fromEntries(
    CRITERIA.map((c) => [c, Math.round(((t.scoring_weights[c] as number | undefined) ?? 0.25) * 100)]),
  ) as Record<Criterion, number>;
  const [weights, setWeights] = useState(initial);
  const [busy, setBusy] = useState(false);
  // Open at first on a new draft; afterwards it stays as the person left it.
  const [open] = useState(draft && t.questions.length === 0);
  const total = CRITERIA.reduce((sum, c) => sum + (weights[c] || 0), 0);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const text = (name: string): string => String(form.get(name) ?? "").trim();
    const body: Schemas["TemplateUpdate"] = {
      version: t.version,
      title: text("title"),
      description: text("description") || null,
    };
    if (draft) {
      if (total !== 100) return props.onError({ title: `The weights add up to ${total} %, not 100 %.` });
      const limit = text("total_time_limit_s");
      body.settings = {
        language: text("language") || "en",
        total_time_limit_s: limit ? Number(limit) * 60 : null,
        show_timer: form.get("show_timer") === "on",
        randomize_questions: form.get("randomize_questions") === "on",
        retakes_allowed: form.get("retakes_allowed") === "on",
        think_time_default_s: Number(text("think_time_default_s") || 30),
      };
      body.scoring_weights = Object.fromEntries(CRITERIA.map((c) => [c, weights[c] / 100])) as Schemas["ScoringWeights"];
    }
    setBusy(true);
    const { data, error } = await api.PATCH("/v1/templates/{template_id}", {
      params: { path: { template_id: t.id } },
      body,
    });
    setBusy(false);
    if (data) props.onSaved(data);
    else props.onError(error);
  };

  const s = t.settings;
  return (
    <details class="panel" open={open}>
      <summary>
        <h2 class="inline">Details, settings and scoring weights</h2>
      </summary>
      <form onSubmit={submit}>
        <fieldset disabled={t.status === "archived"}>
          <legend class="sr-only">Details</legend>
          <div class="grid2">
            <Field label="Title" id="t-title" name="title" required maxLength={200} defaultValue={t.title} />
            <Field label="Description" id="t-description" name="description" maxLength={1000} defaultValue={t.description ?? ""} />
          </div>
        </fieldset>
        <fieldset disabled={!draft}>
          <legend>Settings</legend>
          <div class="grid3">
            <Field label="Language" id="t-language" name="language" defaultValue={s.language ?? "en"} pattern="[a-z]{2,3}(-[A-Z]{2})?" hint="e.g. en, de, pt-BR" />
            <Field
              label="Default think time (seconds)"
              id="t-think"
              name="think_time_default_s"
              type="number"
              min={0}
              max={600}
              defaultValue={String(s.think_time_default_s ?? 30)}
            />
            <Field
              label="Total time limit (minutes)"
              id="t-total"
              name="total_time_limit_s"
              type="number"
              min={1}
              max={240}
              defaultValue={s.total_time_limit_s ? String(Math.round(s.total_time_limit_s / 60)) : ""}
              hint="Empty: no limit."
            />
          </div>
          <div class="check">
            <input id="t-show-timer" type="checkbox" name="show_timer" defaultChecked={s.show_timer ?? true} />
            <label for="t-show-timer">Show the timer to candidates</label>
          </div>
          <div class="check">
            <input id="t-randomize" type="checkbox" name="randomize_questions" defaultChecked={s.randomize_questions ?? false} />
            <label for="t-randomize">Randomize the question order</label>
          </div>
          <div class="check">
            <input id="t-retakes" type="checkbox" name="retakes_allowed" defaultChecked={s.retakes_allowed ?? true} />
            <label for="t-retakes">Allow retakes</label>
          </div>
        </fieldset>
        <fieldset disabled={!draft}>
          <legend>Scoring weights of the criteria (percent, adding up to 100)</legend>
          <div class="grid4">
            {CRITERIA.map((c) => (
              <Field
                label={`${words(c)} weight (%)`}
                id={`w-${c}`}
                type="number"
                min={0}
                max={100}
                step={1}
                value={String(weights[c])}
                onInput={(e) => setWeights((w) => ({ ...w, [c]: Number((e.target as HTMLInputElement).value) }))}
              />
            ))}
          </div>
          <p class={total === 100 ? "hint" : "error"} aria-live="polite" data-testid="weights-total">
            Total: {total} %
          </p>
        </fieldset>
        {t.status !== "archived" && (
          <button type="submit" disabled={busy}>
            Save details
          </button>
        )}
      </form>
    </details>
  );
}
