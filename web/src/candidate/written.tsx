// Text and multiple-choice questions: answered with POST .../questions/{id}/answer.
import { useState } from "preact/hooks";
import type { Api } from "../api/client";
import { Alert } from "../ui/components";
import { must, type Answer, type Question } from "./api";
import { duration } from "./timers";

const MAX_TEXT = 10_000;

interface AnswerProps {
  api: Api;
  question: Question;
  onAnswered: (a: Answer) => void;
  /** A failed submit: the interview may have ended meanwhile (expired, timed out). */
  onFailure?: (error: unknown) => void;
}

export function TextQuestion(props: AnswerProps) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!text.trim()) {
      setError("Write your answer before submitting.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      props.onAnswered(
        await must(
          props.api.POST("/v1/candidate/interview/questions/{question_id}/answer", {
            params: { path: { question_id: props.question.id } },
            body: { text: text.trim() },
          }),
        ),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
      props.onFailure?.(err);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <div class="field">
        <label for="text-answer">Your answer</label>
        <textarea
          id="text-answer"
          value={text}
          maxLength={MAX_TEXT}
          rows={10}
          aria-describedby="text-answer-hint"
          aria-invalid={error ? true : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <p class="hint" id="text-answer-hint">
          Suggested time: {duration(props.question.time_limit_s)}. {text.length} of {MAX_TEXT} characters.
        </p>
      </div>
      {error && <Alert>{error}</Alert>}
      <button type="submit" disabled={busy}>
        {busy ? "Submitting…" : "Submit this answer"}
      </button>
    </form>
  );
}

export function ChoiceQuestion(props: AnswerProps) {
  const { question } = props;
  // The candidate's API does not say whether several options may be chosen; a question that
  // says so (a future `multiple` flag) gets checkboxes, every other one radio buttons.
  const multiple = (question as { multiple?: boolean }).multiple === true;
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const toggle = (id: string, on: boolean): void =>
    setChosen((c) => (multiple ? (on ? [...c, id] : c.filter((x) => x !== id)) : [id]));
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (chosen.length === 0) {
      setError(multiple ? "Choose at least one option." : "Choose an option.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      props.onAnswered(
        await must(
          props.api.POST("/v1/candidate/interview/questions/{question_id}/answer", {
            params: { path: { question_id: question.id } },
            body: { option_ids: chosen },
          }),
        ),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
      props.onFailure?.(err);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <fieldset class="choices" aria-describedby={error ? "choice-error" : undefined}>
        <legend>{multiple ? "Choose all that apply" : "Choose one"}</legend>
        {(question.options ?? []).map((option) => (
          <label class="choice" key={option.id}>
            <input
              type={multiple ? "checkbox" : "radio"}
              name="choice"
              value={option.id}
              checked={chosen.includes(option.id)}
              onChange={(e) => toggle(option.id, e.currentTarget.checked)}
            />
            <span>{option.text}</span>
          </label>
        ))}
      </fieldset>
      {error && (
        <div id="choice-error">
          <Alert>{error}</Alert>
        </div>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Submitting…" : "Submit this answer"}
      </button>
    </form>
  );
}
