// The candidate's interview, opened by link: /interview#<token> (no account). Steps: landing ->
// consent -> device check -> one page per question -> finish -> end page. Reopening the link
// (a reload, another day) asks the API for the progress and goes on at the first unanswered
// question; a recording that was not accepted yet resumes its upload there.
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { Api } from "../api/client";
import type { AppConfig } from "../config";
import { Alert, Page } from "../ui/components";
import { ApiError, candidateApi, must, startInterview, type Answer, type Interview, type Question } from "./api";
import "./candidate.css";
import { DeviceCheck } from "./devices";
import { stopStream } from "./media";
import { RecordedQuestion } from "./recorded";
import { clock, duration, spoken, useSecondsLeft } from "./timers";
import { readLinkToken } from "./token";
import { ChoiceQuestion, TextQuestion } from "./written";

const HEARTBEAT_MS = 60_000;

export function mount(root: HTMLElement, config: AppConfig): void {
  render(<CandidateApp config={config} />, root);
}

type Stage =
  | { kind: "loading" }
  | { kind: "dead"; title: string; text: string; testid: string }
  | { kind: "landing" }
  | { kind: "consent" }
  | { kind: "devices"; aiAnalysis: boolean | null }
  | { kind: "questions" }
  | { kind: "done" };

const TYPE_NAMES: Record<Question["type"], string> = {
  video: "video",
  audio: "audio",
  text: "written",
  multiple_choice: "multiple choice",
};

function CandidateApp(props: { config: AppConfig }) {
  const token = useMemo(readLinkToken, []);
  const api = useMemo(() => (token ? candidateApi(props.config.apiUrl, token) : null), [token, props.config.apiUrl]);
  const [interview, setInterview] = useState<Interview | null>(null);
  const [stage, setStage] = useState<Stage>({ kind: "loading" });
  const [answered, setAnswered] = useState<Set<string>>(new Set());
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const load = async (): Promise<void> => {
    if (!api) {
      setStage(deadStage(new ApiError(404, undefined)));
      return;
    }
    try {
      const found = await must(api.GET("/v1/candidate/interview"));
      setInterview(found);
      setAnswered(new Set(found.progress.filter((p) => p.answered).map((p) => p.question_id)));
      if (found.invitation.status === "completed") setStage(completedStage());
      else setStage({ kind: "landing" });
    } catch (err) {
      setStage(deadStage(err));
    }
  };

  useEffect(() => {
    void load();
  }, []);

  const questions = useMemo(
    () => [...(interview?.questions ?? [])].sort((a, b) => a.position - b.position),
    [interview],
  );
  const current = questions.find((q) => !answered.has(q.id)) ?? null;
  const inProgress = interview?.invitation.status === "in_progress";
  const needsDevices = questions.some((q) => !answered.has(q.id) && (q.type === "video" || q.type === "audio"));
  const needsVideo = questions.some((q) => !answered.has(q.id) && q.type === "video");

  // The API completes an interview left idle too long: a heartbeat while it is open.
  useEffect(() => {
    if (!api || stage.kind !== "questions") return;
    const id = setInterval(() => void api.POST("/v1/candidate/interview/heartbeat").catch(() => undefined), HEARTBEAT_MS);
    return () => clearInterval(id);
  }, [api, stage.kind]);

  useEffect(() => () => stopStream(stream), [stream]);

  const begin = async (aiAnalysis: boolean | null): Promise<void> => {
    if (!api || !interview) return;
    setError(undefined);
    if (!inProgress && aiAnalysis !== null) {
      setBusy(true);
      try {
        const status = await startInterview(api, {
          recording: true,
          ai_analysis: aiAnalysis,
          text_version: CONSENT_TEXT_VERSION,
        });
        setInterview({ ...interview, invitation: { ...interview.invitation, status: status.status } });
      } catch (err) {
        setBusy(false);
        if (err instanceof ApiError && (err.status === 410 || err.status === 409)) setStage(deadStage(err));
        else setError(err instanceof Error ? err.message : String(err));
        return;
      }
      setBusy(false);
    }
    setStage({ kind: "questions" });
  };

  const afterConsent = (aiAnalysis: boolean): void => {
    if (needsDevices) setStage({ kind: "devices", aiAnalysis });
    else void begin(aiAnalysis);
  };

  // A refused answer may mean the interview ended meanwhile (expired, or completed by the
  // API after the total time limit): the interview's state says which page to show.
  const onFailure = async (err: unknown): Promise<void> => {
    if (!api || !(err instanceof ApiError) || (err.status !== 409 && err.status !== 410)) return;
    try {
      const found = await must(api.GET("/v1/candidate/interview"));
      if (found.invitation.status === "completed") setStage(completedStage());
    } catch (again) {
      setStage(deadStage(again));
    }
  };

  const onAnswered = (answer: Answer): void => {
    setAnswered((a) => new Set(a).add(answer.question_id));
    window.scrollTo(0, 0);
  };

  const complete = async (): Promise<void> => {
    if (!api) return;
    setBusy(true);
    setError(undefined);
    try {
      await must(api.POST("/v1/candidate/interview/complete", { body: { reason: "manual" } }));
      stopStream(stream);
      setStream(null);
      setStage({ kind: "done" });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      void onFailure(err);
    } finally {
      setBusy(false);
    }
  };

  let content;
  switch (stage.kind) {
    case "loading":
      content = (
        <Page title="Opening your interview">
          <p role="status">Loading…</p>
        </Page>
      );
      break;
    case "dead":
      content = (
        <Page title={stage.title}>
          <div data-testid={stage.testid}>
            <p>{stage.text}</p>
            <p>If you think this is a mistake, reply to the email that invited you.</p>
          </div>
        </Page>
      );
      break;
    case "landing":
      content = interview && (
        <Landing
          interview={interview}
          questions={questions}
          answeredCount={answered.size}
          onNext={() => {
            if (!inProgress) setStage({ kind: "consent" });
            else if (needsDevices && current) setStage({ kind: "devices", aiAnalysis: null });
            else void begin(null);
          }}
        />
      );
      break;
    case "consent":
      content = <ConsentStep busy={busy} error={error} onNext={afterConsent} />;
      break;
    case "devices":
      content = (
        <DeviceCheck
          video={needsVideo}
          stream={stream}
          onStream={setStream}
          busy={busy}
          error={error}
          onContinue={() => void begin(stage.aiAnalysis)}
        />
      );
      break;
    case "questions":
      content =
        current && api && interview ? (
          <QuestionPage
            key={current.id}
            api={api}
            interview={interview}
            question={current}
            index={questions.indexOf(current)}
            total={questions.length}
            stream={stream}
            onNeedDevices={() => setStage({ kind: "devices", aiAnalysis: null })}
            onAnswered={onAnswered}
            onFailure={(err) => void onFailure(err)}
          />
        ) : (
          <Page title="You have answered every question">
            <p>Thank you. Finish the interview to send your answers to the hiring team.</p>
            <p>After you finish, your answers can no longer be changed.</p>
            {error && <Alert>{error}</Alert>}
            <button type="button" onClick={() => void complete()} disabled={busy}>
              {busy ? "Finishing…" : "Finish the interview"}
            </button>
          </Page>
        );
      break;
    case "done":
      content = (
        <Page title="Thank you: your interview is complete">
          <div data-testid="interview-complete">
            <p>Your answers were sent to the hiring team. You can close this page.</p>
            <p>The company will contact you by email about the next steps.</p>
          </div>
        </Page>
      );
      break;
  }
  // #app is a live region: this subtree opts out, its own status regions speak instead.
  return (
    <div aria-live="off" class="candidate">
      {content}
    </div>
  );
}

function deadStage(err: unknown): Stage {
  const status = err instanceof ApiError ? err.status : 0;
  if (status === 410) {
    return {
      kind: "dead",
      testid: "link-gone",
      title: "This interview link is no longer open",
      text: err instanceof ApiError ? err.message : "The invitation expired or was cancelled.",
    };
  }
  if (status === 409) return completedStage();
  if (status === 404) {
    return {
      kind: "dead",
      testid: "link-unknown",
      title: "This link does not open an interview",
      text: "Check that you opened the whole link from your invitation email.",
    };
  }
  return {
    kind: "dead",
    testid: "link-error",
    title: "The interview could not be opened",
    text: `${err instanceof Error ? err.message : String(err)} Reload the page to try again.`,
  };
}

function completedStage(): Stage {
  return {
    kind: "dead",
    testid: "link-completed",
    title: "You have already completed this interview",
    text: "Your answers were sent to the hiring team. There is nothing more to do.",
  };
}

function Landing(props: { interview: Interview; questions: Question[]; answeredCount: number; onNext: () => void }) {
  const { interview, questions } = props;
  const { invitation, template } = interview;
  const resuming = invitation.status === "in_progress";
  const counts = new Map<string, number>();
  for (const q of questions) counts.set(TYPE_NAMES[q.type], (counts.get(TYPE_NAMES[q.type]) ?? 0) + 1);
  const kinds = [...counts.entries()].map(([name, n]) => `${n} ${name}`).join(", ");
  const recorded = questions.some((q) => q.type === "video" || q.type === "audio");
  const total = template.settings.total_time_limit_s;
  return (
    <Page title={template.title}>
      <p class="lead">
        Hello {invitation.candidate_name}, welcome to your interview
        {interview.company ? (
          <>
            {" "}
            with <strong data-testid="company-name">{interview.company.name}</strong>
          </>
        ) : null}
        .
      </p>
      {template.description && <p class="intro">{template.description}</p>}
      {resuming && (
        <Alert kind="info">
          Welcome back. You have answered {props.answeredCount} of {questions.length} questions; you will continue
          with the next one.
        </Alert>
      )}
      <div class="panel">
        <h2>What to expect</h2>
        <ul>
          <li data-testid="question-count">
            {questions.length} question{questions.length === 1 ? "" : "s"}: {kinds}.
          </li>
          {total ? <li>The whole interview must be done within {duration(total)}.</li> : null}
          <li>
            Answers are limited in time:{" "}
            {questions.map((q, i) => `question ${i + 1}: ${duration(q.time_limit_s)}`).join("; ")}.
          </li>
          {recorded && (
            <li>
              Recorded questions give you time to think first, then record your answer with your camera or
              microphone. You can watch it before you send it
              {questions.some((q) => q.max_retakes > 0) ? ", and record it again within the limit shown" : ""}.
            </li>
          )}
          <li>You can take a break between questions: reopening this link continues where you stopped.</li>
          <li>The link is open until {new Date(invitation.expires_at).toLocaleString()}.</li>
        </ul>
      </div>
      {recorded && <p>Find a quiet, well-lit place, and use a recent browser (Chrome, Edge, Firefox or Safari).</p>}
      <button type="button" onClick={props.onNext}>
        {resuming ? "Continue the interview" : "Begin"}
      </button>
    </Page>
  );
}

/** The version of the consent wording below, stored with the candidate's consent. A change of
 * the wording gets a new version, here and in CONSENT_TEXT_VERSIONS
 * (shared/interviews/candidate_models.py; tests/unit/interviews/test_consent_text_version.py). */
export const CONSENT_TEXT_VERSION = "2026-12-02";

function ConsentStep(props: { busy: boolean; error?: string; onNext: (aiAnalysis: boolean) => void }) {
  const [recording, setRecording] = useState(false);
  const [ai, setAi] = useState(false);
  const [missing, setMissing] = useState(false);
  return (
    <Page title="Your consent">
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!recording) setMissing(true);
          else props.onNext(ai);
        }}
      >
        <div class="consent">
          <input
            id="consent-recording"
            type="checkbox"
            checked={recording}
            aria-describedby="consent-recording-hint"
            aria-invalid={missing && !recording ? true : undefined}
            onChange={(e) => {
              setRecording(e.currentTarget.checked);
              setMissing(false);
            }}
          />
          <label for="consent-recording">I agree that my answers are recorded (required).</label>
          <p class="hint" id="consent-recording-hint">
            Your video, audio and written answers are stored and shown to the hiring team of this company.
          </p>
        </div>
        <div class="consent">
          <input
            id="consent-ai"
            type="checkbox"
            checked={ai}
            aria-describedby="consent-ai-hint"
            onChange={(e) => setAi(e.currentTarget.checked)}
          />
          <label for="consent-ai">I agree that my answers are analysed by AI (optional).</label>
          <p class="hint" id="consent-ai-hint">
            With your consent, your answers are transcribed and an AI model suggests scores for the hiring team, who
            decide. Without it, no AI looks at your answers: people at the company review them (a human-only
            review). Your choice does not change the interview.
          </p>
        </div>
        {missing && <Alert>To take this interview, agree to your answers being recorded.</Alert>}
        {props.error && <Alert>{props.error}</Alert>}
        <button type="submit" disabled={props.busy}>
          Continue
        </button>
      </form>
    </Page>
  );
}

/** The interview's total time limit, when the template sets one. */
function TimeLeft(props: { endsAt: number }) {
  const left = useSecondsLeft(props.endsAt);
  return (
    <p class="hint" data-testid="time-left">
      Time left for the whole interview: <span aria-hidden="true">{clock(left)}</span>
      <span class="sr-only">{spoken(left)}</span>
    </p>
  );
}

function QuestionPage(props: {
  api: Api;
  interview: Interview;
  question: Question;
  index: number;
  total: number;
  stream: MediaStream | null;
  onNeedDevices: () => void;
  onAnswered: (answer: Answer) => void;
  onFailure: (error: unknown) => void;
}) {
  const { question } = props;
  const progress = props.interview.progress.find((p) => p.question_id === question.id);
  const recorded = question.type === "video" || question.type === "audio";
  const endsAt = props.interview.invitation.time_limit_ends_at;
  return (
    <Page title={`Question ${props.index + 1} of ${props.total}`}>
      <progress class="steps" value={props.index} max={props.total} aria-label="Questions answered" />
      {endsAt && <TimeLeft endsAt={Date.parse(endsAt)} />}
      <p class="question-text" id="question-text" data-testid="question-text">
        {question.text}
      </p>
      {question.hints.length > 0 && (
        <ul class="hints" aria-label="Hints">
          {question.hints.map((h) => (
            <li key={h}>{h}</li>
          ))}
        </ul>
      )}
      {recorded && props.stream ? (
        <RecordedQuestion
          api={props.api}
          invitationId={props.interview.invitation.id}
          question={question}
          retakesLeft={progress?.retakes_left ?? question.max_retakes}
          stream={props.stream}
          onAnswered={props.onAnswered}
          onFailure={props.onFailure}
        />
      ) : recorded ? (
        <>
          <Alert kind="info">This question is recorded: check your camera and microphone first.</Alert>
          <button type="button" onClick={props.onNeedDevices}>
            Check my camera and microphone
          </button>
        </>
      ) : question.type === "text" ? (
        <TextQuestion api={props.api} question={question} onAnswered={props.onAnswered} onFailure={props.onFailure} />
      ) : (
        <ChoiceQuestion api={props.api} question={question} onAnswered={props.onAnswered} onFailure={props.onFailure} />
      )}
    </Page>
  );
}
