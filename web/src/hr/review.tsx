// The review of one invitation (/hr/invitations/:id): each answer (the MP4 player beside its
// transcript, captions from it; the transcript as soon as it is stored, before the MP4, with
// each path's status and time; text and choices), the AI analysis (scores per criterion with
// justifications and evidence quotes that seek the player, summary, strengths, weaknesses, red
// flags, the engine), HR's rating and comment per answer, and the decision with its note.
import type { RefObject } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { problemText, type Schemas } from "../api/client";
import { Alert, Page } from "../ui/components";
import { onLink } from "../ui/router";
import { useHr } from "./context";
import { clock, timeOf, usePoll, when, words } from "./format";
import { CRITERIA, kindLabel } from "./templates";
import { vttUrl } from "./vtt";

type Detail = Schemas["InvitationDetail"];
type Analysis = Schemas["AnalysisView"];
type Answer = Schemas["AnswerOut"];
type Question = Schemas["QuestionOut"];
type Media = Schemas["MediaView"];
type Result = Schemas["AnswerResultView"];
type Seek = (seconds: number) => void;

const POLL_MS = 3000;
const MEDIA_DONE = new Set(["ready", "failed"]);

function analysisSettled(detail: Detail): boolean {
  const status = detail.invitation.status;
  if (status === "in_progress") return false;
  if (status !== "completed") return true;
  const a = detail.analysis;
  return !!a && a.status !== "waiting" && a.status !== "running";
}

export function ReviewPage({ id }: { id: string }) {
  const { api } = useHr();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [media, setMedia] = useState<Record<string, Media>>({});
  const [error, setError] = useState("");
  const playback = useRef<Record<string, string>>({});
  const path = { params: { path: { invitation_id: id } } };

  // The answers and the analysis show as soon as they come; the media (another function,
  // maybe cold) fills the players in when it arrives.
  const loadDetail = async (): Promise<void> => {
    const d = await api.GET("/v1/invitations/{invitation_id}", path);
    if (!d.data) return setError(problemText(d.error));
    setError("");
    for (const a of d.data.answers)
      if (a.media?.playback_url) playback.current[a.media.media_id] ??= a.media.playback_url;
    setDetail(d.data);
  };
  const loadMedia = async (): Promise<void> => {
    const m = await api.GET("/v1/invitations/{invitation_id}/media", path);
    if (!m.data) return;
    const next: Record<string, Media> = {};
    for (const item of m.data.items) {
      // A poll presigns a new URL each time; keep the first so a playing video is not reset.
      if (item.playback_url) playback.current[item.media_id] ??= item.playback_url;
      next[item.upload_id] = { ...item, playback_url: playback.current[item.media_id] ?? null };
    }
    setMedia(next);
  };
  const load = async (): Promise<void> => {
    await Promise.all([loadDetail(), loadMedia()]);
  };
  useEffect(() => void load(), [id]);

  const mediaPending = Object.values(media).some((m) => !MEDIA_DONE.has(m.progress.status));
  const live = !!detail && (!analysisSettled(detail) || mediaPending);
  usePoll(live, POLL_MS, load);

  if (!detail) return <Page title="Review">{error ? <Alert>{error}</Alert> : <p>Loading…</p>}</Page>;
  const { invitation, template, questions, answers, analysis } = detail;
  const latest = latestAnswers(answers);
  const results = new Map<string, Result>();
  for (const r of analysis?.answers ?? []) results.set(r.answer_id, r);

  return (
    <Page title={`Review: ${invitation.candidate_name}`} wide>
      <p class="row">
        <a href="/hr/invitations" onClick={onLink}>
          All invitations
        </a>
        <span>
          {template.title} · {invitation.candidate_email} · <span class={`badge s-${invitation.status}`}>{words(invitation.status)}</span>
          {invitation.completed_at && ` · completed ${when(invitation.completed_at)}`}
        </span>
      </p>
      {error && <Alert>{error}</Alert>}
      <AnalysisPanel invitation={invitation} analysis={analysis ?? null} onRetried={load} />
      {[...questions]
        .sort((a, b) => a.position - b.position)
        .map((q, i) => {
          const answer = latest.get(q.id);
          const ref = answer?.media_ref?.upload_id ?? answer?.media?.upload_id;
          const m = (ref && media[ref]) || answer?.media || null;
          const result = (answer && results.get(answer.id)) || analysis?.answers?.find((r) => r.question_id === q.id) || null;
          return (
            <AnswerCard
              key={q.id}
              number={i + 1}
              question={q}
              answer={answer ?? null}
              media={m && { ...m, playback_url: playback.current[m.media_id] ?? m.playback_url }}
              result={result}
              invitationId={invitation.id}
            />
          );
        })}
      <DecisionPanel invitationId={invitation.id} decision={detail.decision} canDecide={invitation.status === "completed"} onDecided={(d) => setDetail({ ...detail, decision: d })} />
    </Page>
  );
}

function latestAnswers(answers: Answer[]): Map<string, Answer> {
  const map = new Map<string, Answer>();
  for (const a of answers) {
    const seen = map.get(a.question_id);
    if (!seen || a.attempt > seen.attempt) map.set(a.question_id, a);
  }
  return map;
}

function engineText(a: Analysis): string {
  const label = a.engine_label ?? (a.engine ? words(a.engine) : "");
  const parts = [a.model, a.prompt_version ? `prompt ${a.prompt_version}` : null].filter(Boolean);
  return parts.length && a.engine !== "offline" ? `${label} (${parts.join(", ")})` : label;
}

function AnalysisPanel(props: { invitation: Schemas["InvitationOut"]; analysis: Analysis | null; onRetried: () => Promise<void> }) {
  const { api } = useHr();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const a = props.analysis;
  const retry = async (): Promise<void> => {
    setBusy(true);
    const { error: problem } = await api.POST("/v1/invitations/{invitation_id}/analysis/retry", {
      params: { path: { invitation_id: props.invitation.id } },
    });
    setBusy(false);
    if (problem) setError(problemText(problem));
    else {
      setError("");
      await props.onRetried();
    }
  };
  let state: preact.JSX.Element;
  if (props.invitation.status !== "completed")
    state = (
      <Alert kind="info">
        {a?.progress?.length
          ? "Each answer is analysed as soon as it is final; the summary and the overall score follow when the candidate completes the interview."
          : "The analysis starts when the candidate completes the interview."}
      </Alert>
    );
  else if (!a) state = <Alert kind="info">Queued: the analysis starts in a moment.</Alert>;
  else
    switch (a.status) {
      case "waiting":
        state = (
          <Alert kind="info">
            Waiting for the recordings to be processed
            {a.waiting_for_uploads?.length ? ` (${a.waiting_for_uploads.length} still processing)` : ""}…
          </Alert>
        );
        break;
      case "running":
        state = <Alert kind="info">The analysis is running{a.attempt && a.attempt > 1 ? ` (attempt ${a.attempt})` : ""}…</Alert>;
        break;
      case "completed":
        state = <Alert kind="success">Analysis completed {when(a.completed_at)}.</Alert>;
        break;
      case "failed":
        state = (
          <Alert>
            The analysis failed{a.reason ? `: ${a.reason}` : "."}{" "}
            <button type="button" onClick={() => void retry()} disabled={busy}>
              Retry the analysis
            </button>
          </Alert>
        );
        break;
      default: {
        // A status this page does not know yet (e.g. a human-only review): say it as it is.
        const status = String(a.status);
        state = (
          <Alert kind="info">
            {/human/i.test(status)
              ? "Human review only: the candidate did not consent to AI analysis, so no AI scores exist. Review the answers yourself."
              : `Analysis status: ${words(status)}.`}
            {a.reason ? ` ${a.reason}` : ""}
          </Alert>
        );
      }
    }
  return (
    <section class="panel" aria-labelledby="analysis-h" data-testid="analysis">
      <h2 id="analysis-h">AI analysis</h2>
      <div aria-live="polite" data-testid="analysis-status" data-status={a?.status ?? "none"}>
        {state}
        {error && <Alert>{error}</Alert>}
      </div>
      {a && a.status !== "completed" && a.progress && a.progress.length > 0 && <Progress items={a.progress} />}
      {a && (a.engine || a.engine_label) && (
        <p data-testid="engine-label">
          <strong>Engine:</strong> {engineText(a)}
        </p>
      )}
      {a && a.overall != null && (
        <p class="overall">
          <strong>Overall:</strong> <span data-testid="overall">{Math.round(a.overall)}</span>/100
          {a.recommendation && (
            <>
              {" "}
              · <strong>Recommendation:</strong> {words(a.recommendation)}
            </>
          )}
          {a.llm_verdict && a.llm_verdict !== a.recommendation && <> · model's verdict: {words(a.llm_verdict)}</>}
        </p>
      )}
      {a?.summary && (
        <>
          <h3>Summary</h3>
          <p data-testid="summary">{a.summary}</p>
        </>
      )}
      {a?.skills && <Skills items={a.skills} />}
      <div class="grid3">
        <Points title="Strengths" items={a?.strengths} />
        <Points title="Weaknesses" items={a?.weaknesses} />
        <Points title="Red flags" items={a?.red_flags} flag />
      </div>
    </section>
  );
}

function Points(props: { title: string; items: string[] | undefined; flag?: boolean }) {
  if (!props.items || props.items.length === 0) return null;
  return (
    <div class={props.flag ? "red-flags" : undefined}>
      <h3>{props.title}</h3>
      <ul>
        {props.items.map((s) => (
          <li>{s}</li>
        ))}
      </ul>
    </div>
  );
}

function AnswerCard(props: {
  number: number;
  question: Question;
  answer: Answer | null;
  media: Media | null;
  result: Result | null;
  invitationId: string;
}) {
  const { question: q, answer } = props;
  const player = useRef<HTMLMediaElement>(null);
  const seek: Seek = (seconds) => {
    const el = player.current;
    if (!el) return;
    el.currentTime = seconds;
    el.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };
  const headingId = `answer-${props.number}-h`;
  return (
    <section class="panel answer" aria-labelledby={headingId} data-question-id={q.id} data-testid={`answer-${props.number}`}>
      <h2 id={headingId}>
        {props.number}. {q.text}
      </h2>
      <p class="hint">
        {kindLabel(q)}
        {answer && ` · answered ${when(answer.submitted_at)}${answer.attempt > 1 ? ` (attempt ${answer.attempt})` : ""}`}
      </p>
      {!answer ? (
        <p>Not answered.</p>
      ) : answer.kind === "media" ? (
        <MediaAnswer media={props.media} player={player} seek={seek} number={props.number} />
      ) : answer.kind === "text" ? (
        <blockquote class="text-answer" data-testid="text-answer">
          {answer.text}
        </blockquote>
      ) : (
        <ChoiceAnswer question={q} answer={answer} />
      )}
      {props.result && <AnswerResult result={props.result} seek={answer?.kind === "media" ? seek : null} />}
      {answer && <ReviewForm invitationId={props.invitationId} answer={answer} number={props.number} />}
    </section>
  );
}

function ChoiceAnswer({ question, answer }: { question: Question; answer: Answer }) {
  const chosen = new Set(answer.selected_option_ids ?? []);
  return (
    <ul class="options" data-testid="choice-answer">
      {(question.options ?? []).map((o) => (
        <li class={chosen.has(o.id) ? "chosen" : undefined}>
          {chosen.has(o.id) ? "☑" : "☐"} {o.text}
          {chosen.has(o.id) && <strong> (chosen)</strong>}
          {o.correct && <span class="ok"> ✔ correct</span>}
        </li>
      ))}
    </ul>
  );
}

/** Where each path of a recording is: "Transcript ready 12:03:04 · Playback: transcoding…". The
 * transcript is stored as soon as it exists, so it is usually ready while the MP4 still encodes. */
function pathsText(m: Media): string {
  const p = m.progress;
  const early = p.status === "uploaded" || p.status === "validating";
  const pending = (doing: string) => (early ? `${words(p.status)}…` : `${doing}…`);
  const transcript =
    m.transcript_status === "ready"
      ? `Transcript ready ${timeOf(m.transcript_ready_at)}`
      : m.transcript_status === "failed"
        ? "Transcript: failed"
        : `Transcript: ${pending("transcribing")}`;
  const playback =
    m.playback_status === "ready"
      ? `Playback ready ${timeOf(m.playback_ready_at)}`
      : m.playback_status === "failed"
        ? "Playback: failed"
        : `Playback: ${pending("transcoding")}`;
  return `${transcript} · ${playback}`;
}

function MediaAnswer(props: { media: Media | null; player: RefObject<HTMLMediaElement>; seek: Seek; number: number }) {
  const m = props.media;
  const [time, setTime] = useState(0);
  const [failed, setFailed] = useState(false);
  const segments = m?.transcript?.segments ?? [];
  const captions = useMemo(() => (segments.length ? vttUrl(segments) : null), [m?.media_id, segments.length]);
  useEffect(() => () => void (captions && URL.revokeObjectURL(captions)), [captions]);
  const list = useRef<HTMLOListElement>(null);
  // The segment being spoken, or in a pause (and after the last word) the one just spoken.
  const current = segments.reduce((found, s, i) => (time >= s.start ? i : found), -1);

  // Keep the current segment in view inside the transcript's own scroll box.
  useEffect(() => {
    const box = list.current;
    const item = box?.querySelector<HTMLElement>('[aria-current="true"]');
    if (!box || !item) return;
    const top = item.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + item.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = top - box.clientHeight / 3;
  }, [current]);

  if (!m) return <Alert kind="info">The recording is being uploaded.</Alert>;
  const playable = !!m.playback_url;
  // The transcript shows as soon as it is stored: while the MP4 is still transcoding, and after
  // a playback failure that kept it. Without a player its segments are text, not seek buttons.
  const transcript = (
    <div class="transcript">
      <h3 id={`transcript-${props.number}`}>Transcript</h3>
      {!m.transcript ? (
        <p>{m.transcript_status === "failed" ? "No transcript." : "The transcript is on its way…"}</p>
      ) : segments.length === 0 ? (
        <p>{m.transcript.text || "No speech was transcribed."}</p>
      ) : (
        <ol ref={list} class="segments" aria-labelledby={`transcript-${props.number}`}>
          {segments.map((s, i) =>
            playable ? (
              <li key={i}>
                <button
                  type="button"
                  class={i === current ? "segment current" : "segment"}
                  aria-current={i === current ? "true" : undefined}
                  data-start={s.start}
                  onClick={() => props.seek(s.start)}
                >
                  <span class="at">{clock(s.start)}</span> {s.text}
                </button>
              </li>
            ) : (
              <li key={i} class="segment-text" data-start={s.start}>
                <span class="at">{clock(s.start)}</span> {s.text}
              </li>
            ),
          )}
        </ol>
      )}
    </div>
  );
  const paths = (
    <p class="hint" data-testid="media-paths">
      {pathsText(m)}
    </p>
  );
  if (!playable) {
    const p = m.progress;
    const kept = m.transcript_status === "ready";
    return (
      <div class="media-answer">
        <div class="player">
          {p.status === "failed" ? (
            <Alert>
              The recording could not be processed{p.failed_step ? ` (${words(p.failed_step)})` : ""}
              {p.reason ? `: ${p.reason}` : "."}
              {kept && " The transcript was kept."}
            </Alert>
          ) : (
            <Alert kind="info">The recording is being processed.</Alert>
          )}
          {paths}
        </div>
        {(m.transcript || p.status !== "failed") && transcript}
      </div>
    );
  }
  const lang = m.transcript?.language ?? "en";
  const common = {
    ref: props.player as RefObject<HTMLVideoElement & HTMLAudioElement>,
    src: m.playback_url ?? undefined,
    controls: true,
    preload: "metadata" as const,
    onTimeUpdate: (e: Event) => setTime((e.target as HTMLMediaElement).currentTime),
    onSeeked: (e: Event) => setTime((e.target as HTMLMediaElement).currentTime),
    onError: () => setFailed(true),
    "aria-label": `Recording of answer ${props.number}`,
    "data-testid": "player",
  };
  const track = captions && <track kind="captions" src={captions} srclang={lang} label={`Transcript (${lang})`} default />;
  return (
    <div class="media-answer">
      <div class="player">
        {m.media_kind === "audio" ? (
          <audio {...common}>{track}</audio>
        ) : (
          <video {...common} playsInline poster={m.thumbnail_url ?? undefined}>
            {track}
          </video>
        )}
        {failed && <Alert>The recording cannot be played here; reload the page for a fresh link.</Alert>}
        <p class="hint">
          {m.duration_s != null && `${clock(m.duration_s)} · `}
          {m.width && m.height ? `${m.width}×${m.height} · ` : ""}
          {m.transcript ? `transcribed by ${m.transcript.engine} (${m.transcript.model})` : "no transcript"}
        </p>
        {paths}
      </div>
      {transcript}
    </div>
  );
}

type Quote = Schemas["Quote"];

function Quotes({ quotes, seek }: { quotes: Quote[]; seek: Seek | null }) {
  if (quotes.length === 0) return null;
  return (
    <ul class="quotes">
      {quotes.map((quote) =>
        seek && quote.start != null ? (
          <li>
            <button
              type="button"
              class="quote"
              data-start={quote.start}
              aria-label={`Play from ${clock(quote.start)}: ${quote.text}`}
              onClick={() => seek(quote.start ?? 0)}
            >
              “{quote.text}” <span class="at">{clock(quote.start)}</span>
            </button>
          </li>
        ) : (
          <li>
            <q>{quote.text}</q>
          </li>
        ),
      )}
    </ul>
  );
}

// The template's required skills across the interview: evidenced (with where) or not.
function Skills({ items }: { items: Schemas["SkillFinding"][] }) {
  if (items.length === 0) return null;
  return (
    <>
      <h3>Required skills</h3>
      <ul class="skills" data-testid="skills">
        {items.map((s) => (
          <li data-skill={s.name} data-evidenced={String(s.evidenced)}>
            <strong>{s.name}</strong>:{" "}
            {s.evidenced
              ? `evidenced in answer${(s.evidence ?? []).length > 1 ? "s" : ""} ${(s.evidence ?? []).map((e) => e.position).join(", ")}`
              : "not evidenced in the answers"}
          </li>
        ))}
      </ul>
    </>
  );
}

function AnswerResult({ result: r, seek }: { result: Result; seek: Seek | null }) {
  const criteria = r.criteria ?? {};
  const names = [...CRITERIA.filter((c) => c in criteria), ...Object.keys(criteria).filter((c) => !(CRITERIA as readonly string[]).includes(c))];
  return (
    <div class="result">
      <p>
        <strong>Score:</strong> <span data-testid="answer-score">{r.score != null ? `${Math.round(r.score)}/100` : "—"}</span>
        {r.unscorable && <> · not scorable{r.unscorable_reason ? `: ${r.unscorable_reason}` : ""}</>}
        {r.flagged && <span class="error"> · flagged{r.flag_reason ? `: ${r.flag_reason}` : ""}</span>}
      </p>
      {names.length > 0 && (
        <table class="criteria">
          <caption class="sr-only">Scores per criterion</caption>
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col">Score</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => {
              const c = (criteria as Record<string, Schemas["CriterionResult"]>)[name];
              if (!c) return null;
              return (
                <tr key={name} data-criterion={name}>
                  <th scope="row">{words(name)}</th>
                  <td>{c.score}</td>
                  <td>
                    <p class="justification">{c.justification}</p>
                    <Quotes quotes={c.quotes} seek={seek} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {(r.skills_evidenced ?? []).length > 0 && (
        <div class="skills-evidenced" data-testid="skills-evidenced">
          <strong>Skills evidenced:</strong>
          <ul>
            {(r.skills_evidenced ?? []).map((e) => (
              <li data-skill={e.name}>
                {e.name}
                {e.quote ? <Quotes quotes={[e.quote]} seek={seek} /> : <span class="at"> (quote erased)</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function ReviewForm(props: { invitationId: string; answer: Answer; number: number }) {
  const { api, me } = useHr();
  const mine = props.answer.reviews.find((r) => r.reviewer_id === me?.id);
  const others = props.answer.reviews.filter((r) => r.reviewer_id !== me?.id);
  const [rating, setRating] = useState<number>(mine?.rating ?? 0);
  const [comment, setComment] = useState(mine?.comment ?? "");
  const [saved, setSaved] = useState(mine ? "Your review is saved." : "");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const prefix = `review-${props.number}`;
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!rating) return setError("Choose a rating from 1 to 5.");
    setBusy(true);
    const { data, error: problem } = await api.PUT("/v1/invitations/{invitation_id}/answers/{answer_id}/review", {
      params: { path: { invitation_id: props.invitationId, answer_id: props.answer.id } },
      body: { rating, comment: comment.trim() || null },
    });
    setBusy(false);
    if (!data) return setError(problemText(problem));
    setError("");
    setSaved(`Saved: ${data.rating}/5.`);
  };
  return (
    <form class="review" onSubmit={submit} aria-label={`Your review of answer ${props.number}`}>
      <fieldset>
        <legend>Your rating of answer {props.number}</legend>
        <div class="stars">
          {[1, 2, 3, 4, 5].map((n) => (
            <span class="star">
              <input id={`${prefix}-${n}`} type="radio" name={`${prefix}-rating`} value={n} checked={rating === n} onChange={() => setRating(n)} />
              <label for={`${prefix}-${n}`}>{n}</label>
            </span>
          ))}
        </div>
      </fieldset>
      <div class="field">
        <label for={`${prefix}-comment`}>Comment on answer {props.number}</label>
        <textarea id={`${prefix}-comment`} rows={2} maxLength={2000} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
      </div>
      <button type="submit" disabled={busy}>
        Save review of answer {props.number}
      </button>
      <div aria-live="polite">
        {error && <Alert>{error}</Alert>}
        {saved && !error && <p class="ok">{saved}</p>}
      </div>
      {others.length > 0 && (
        <p class="hint">
          Other reviewers: {others.map((r) => `${r.rating}/5${r.comment ? ` (“${r.comment}”)` : ""}`).join("; ")}
        </p>
      )}
    </form>
  );
}

function DecisionPanel(props: {
  invitationId: string;
  decision: Schemas["DecisionOut"] | null;
  canDecide: boolean;
  onDecided: (d: Schemas["DecisionOut"]) => void;
}) {
  const { api } = useHr();
  const [choice, setChoice] = useState<"advance" | "reject" | "">(props.decision?.decision ?? "");
  const [note, setNote] = useState(props.decision?.note ?? "");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const d = props.decision;
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!choice) return setError("Choose advance or reject.");
    setBusy(true);
    const { data, error: problem } = await api.POST("/v1/invitations/{invitation_id}/decision", {
      params: { path: { invitation_id: props.invitationId } },
      body: { decision: choice, note: note.trim() || null },
    });
    setBusy(false);
    if (!data) return setError(problemText(problem));
    setError("");
    props.onDecided(data);
  };
  return (
    <section class="panel" aria-labelledby="decision-h">
      <h2 id="decision-h">Decision</h2>
      <div aria-live="polite" data-testid="decision">
        {d && (
          <Alert kind="success">
            Decided: <strong>{d.decision === "advance" ? "Advance" : "Reject"}</strong> on {when(d.decided_at)}
            {d.note ? ` — “${d.note}”` : ""}
          </Alert>
        )}
        {error && <Alert>{error}</Alert>}
      </div>
      {props.canDecide ? (
        <form onSubmit={submit}>
          <fieldset>
            <legend>{d ? "Change the decision" : "Your decision"}</legend>
            <div class="check">
              <input id="decide-advance" type="radio" name="decision" checked={choice === "advance"} onChange={() => setChoice("advance")} />
              <label for="decide-advance">Advance to the next round</label>
            </div>
            <div class="check">
              <input id="decide-reject" type="radio" name="decision" checked={choice === "reject"} onChange={() => setChoice("reject")} />
              <label for="decide-reject">Reject</label>
            </div>
          </fieldset>
          <div class="field">
            <label for="decision-note">Note</label>
            <textarea id="decision-note" rows={3} maxLength={2000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          </div>
          <button type="submit" disabled={busy}>
            Save decision
          </button>
        </form>
      ) : (
        <p>You can decide once the candidate has completed the interview.</p>
      )}
    </section>
  );
}

type AnswerProgress = NonNullable<Analysis["progress"]>[number];

/** Per answer, before the whole result exists: waiting, analysing or scored (with its score). */
function Progress(props: { items: AnswerProgress[] }) {
  return (
    <ol class="progress" aria-label="Analysis of each answer" data-testid="analysis-progress">
      {props.items.map((p) => (
        <li key={p.answer_id} data-status={p.status}>
          Question {p.position}: {p.status === "scored" ? `scored${p.score != null ? ` ${Math.round(p.score)}` : ""}` : p.status === "analysing" ? "analysing…" : "waiting"}
        </li>
      ))}
    </ol>
  );
}
