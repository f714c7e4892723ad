// One video or audio question: think time, recording (MediaRecorder, a visible timer, auto-stop
// at the limit), playback, retakes within the limit, then the upload with its progress bar.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "../api/client";
import { Alert, Progress } from "../ui/components";
import type { Answer, Question, UploadType } from "./api";
import { recorderType } from "./media";
import { loadPending, pendingKey, type PendingUpload } from "./pending";
import { announcement, clock, duration, useSecondsLeft } from "./timers";
import { newPending, submitRecording, uploadFailure } from "./upload";

type Step =
  | { kind: "loading" }
  | { kind: "think"; endsAt: number }
  | { kind: "recording"; endsAt: number; startedAt: number }
  | { kind: "review"; pending: PendingUpload; url: string }
  | { kind: "uploading"; pending: PendingUpload; sent: number; error?: string; retry?: boolean; resumed?: boolean };

export function RecordedQuestion(props: {
  api: Api;
  invitationId: string;
  question: Question;
  retakesLeft: number;
  stream: MediaStream;
  onAnswered: (answer: Answer) => void;
  onFailure?: (error: unknown) => void;
}) {
  const { question, stream } = props;
  const video = question.type === "video";
  const key = pendingKey(props.invitationId, question.id);
  const [step, setStep] = useState<Step>({ kind: "loading" });
  const [retakesLeft, setRetakesLeft] = useState(props.retakesLeft);
  const recorder = useRef<MediaRecorder | null>(null);
  const live = useRef<HTMLVideoElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const format = recorderType(video);

  // A recording kept from before a reload resumes its upload; otherwise the think time starts.
  useEffect(() => {
    let alive = true;
    void loadPending(key).then((pending) => {
      if (!alive) return;
      if (pending) void upload(pending, true);
      else think();
    });
    return () => {
      alive = false;
      if (recorder.current?.state === "recording") recorder.current.stop();
    };
  }, [key]);

  useEffect(() => {
    if (step.kind === "recording" && live.current) live.current.srcObject = stream;
  }, [step.kind, stream]);

  useEffect(() => {
    if (step.kind !== "loading") heading.current?.focus();
  }, [step.kind]);

  const think = (): void => {
    if (question.think_time_s > 0) setStep({ kind: "think", endsAt: Date.now() + question.think_time_s * 1000 });
    else record();
  };

  const record = (): void => {
    if (!format) return;
    const tracks = video ? stream.getTracks() : stream.getAudioTracks();
    const rec = new MediaRecorder(new MediaStream(tracks), { mimeType: format.mimeType });
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    rec.onstop = () => {
      const blob = new Blob(chunks, { type: format.contentType });
      const pending = newPending(key, blob, format.contentType);
      setStep({ kind: "review", pending, url: URL.createObjectURL(blob) });
    };
    recorder.current = rec;
    rec.start(1000);
    const now = Date.now();
    setStep({ kind: "recording", startedAt: now, endsAt: now + question.time_limit_s * 1000 });
  };

  // A file instead of a recording (a phone's camera app, or a device where recording fails):
  // the same review, upload and retake rules. Only the types the API takes are offered.
  const [fileError, setFileError] = useState<string | null>(null);
  const chooseFile = (event: Event): void => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    const type = fileType(file, video);
    if (!type) {
      setFileError(`That file is not a ${video ? "video" : "sound recording"} this interview takes (${accepted(video)}).`);
      return;
    }
    setFileError(null);
    setStep({ kind: "review", pending: newPending(key, file, type), url: URL.createObjectURL(file) });
  };

  const stop = (): void => {
    if (recorder.current?.state === "recording") recorder.current.stop();
  };

  const retake = (): void => {
    if (step.kind === "review") URL.revokeObjectURL(step.url);
    setRetakesLeft((n) => n - 1);
    think();
  };

  const upload = async (pending: PendingUpload, resumed = false): Promise<void> => {
    if (step.kind === "review") URL.revokeObjectURL(step.url);
    setStep({ kind: "uploading", pending, sent: 0, resumed });
    try {
      const answer = await submitRecording(props.api, question.id, pending, (sent) =>
        setStep((s) => (s.kind === "uploading" ? { ...s, sent, error: undefined } : s)),
      );
      props.onAnswered(answer);
    } catch (error) {
      const failure = uploadFailure(error);
      setStep((s) => (s.kind === "uploading" ? { ...s, error: failure.text, retry: failure.retry } : s));
      props.onFailure?.(error);
    }
  };

  // A dropped connection that comes back resumes the upload by itself.
  useEffect(() => {
    if (step.kind !== "uploading" || !step.error || !step.retry) return;
    const pending = step.pending;
    const again = (): void => void upload(pending, true);
    window.addEventListener("online", again);
    return () => window.removeEventListener("online", again);
  }, [step]);

  const thinkLeft = useSecondsLeft(step.kind === "think" ? step.endsAt : null);
  const recordLeft = useSecondsLeft(step.kind === "recording" ? step.endsAt : null);
  useEffect(() => {
    if (step.kind === "think" && thinkLeft === 0) record();
  }, [step.kind, thinkLeft]);
  useEffect(() => {
    if (step.kind === "recording" && recordLeft === 0) stop();
  }, [step.kind, recordLeft]);

  if (!format && step.kind !== "review" && step.kind !== "uploading") {
    return (
      <>
        <Alert>
          This browser cannot record {video ? "video" : "audio"}. Please open the same link in a current version
          of Chrome, Edge, Firefox or Safari, or upload a recording you made.
        </Alert>
        <FileChooser video={video} onChange={chooseFile} error={fileError} />
      </>
    );
  }

  return (
    <section aria-labelledby="step-heading" class="recorded" data-step={step.kind}>
      {step.kind === "think" && (
        <>
          <h2 id="step-heading" tabIndex={-1} ref={heading}>
            Time to think
          </h2>
          <p>
            Recording starts by itself when the countdown ends. You will have {duration(question.time_limit_s)} to
            answer.
          </p>
          <p class="timer" aria-hidden="true" data-testid="think-timer">
            {clock(thinkLeft)}
          </p>
          <p class="sr-only" aria-live="polite">
            {announcement(thinkLeft, question.think_time_s, "to think")}
          </p>
          <button type="button" onClick={record}>
            Start recording now
          </button>
          <FileChooser video={video} onChange={chooseFile} error={fileError} />
        </>
      )}
      {step.kind === "recording" && (
        <>
          <h2 id="step-heading" tabIndex={-1} ref={heading}>
            <span class="rec-dot" aria-hidden="true" /> Recording
          </h2>
          {video && <video ref={live} class="preview" muted playsInline autoPlay aria-label="Your camera's picture" />}
          <p class="timer" aria-hidden="true" data-testid="record-timer">
            {clock(question.time_limit_s - recordLeft)} / {clock(question.time_limit_s)}
          </p>
          <p class="sr-only" aria-live="polite">
            {announcement(recordLeft, question.time_limit_s, "left to answer")}
          </p>
          <p class="hint">Recording stops by itself after {duration(question.time_limit_s)}.</p>
          <button type="button" class="danger" onClick={stop}>
            Stop recording
          </button>
        </>
      )}
      {step.kind === "review" && (
        <>
          <h2 id="step-heading" tabIndex={-1} ref={heading}>
            Watch your answer
          </h2>
          {video ? (
            <video class="playback" src={step.url} controls playsInline aria-label="Your recorded answer" />
          ) : (
            <audio class="playback" src={step.url} controls aria-label="Your recorded answer" />
          )}
          <p data-testid="retakes-left">
            {retakesLeft > 0
              ? `You can record this answer again ${retakesLeft} more time${retakesLeft === 1 ? "" : "s"}.`
              : "No retakes are left for this question."}
          </p>
          <div class="row">
            <button type="button" onClick={() => void upload(step.pending)}>
              Submit this answer
            </button>
            {retakesLeft > 0 && (
              <button type="button" class="secondary" onClick={retake}>
                Record again
              </button>
            )}
          </div>
        </>
      )}
      {step.kind === "uploading" && (
        <>
          <h2 id="step-heading" tabIndex={-1} ref={heading}>
            {step.resumed ? "Finishing your upload" : "Sending your answer"}
          </h2>
          {step.resumed && <p>Your recorded answer was kept on this device; it is being sent now.</p>}
          <Progress value={step.sent} max={Math.max(1, step.pending.blob.size)} label="Upload progress" />
          <p class="hint">
            {(step.sent / 1048576).toFixed(1)} of {(step.pending.blob.size / 1048576).toFixed(1)} MB. Keep this page
            open until it is done.
          </p>
          {step.error && (
            <>
              <Alert>{step.error}</Alert>
              {step.retry && (
                <button type="button" onClick={() => void upload(step.pending, true)}>
                  Try the upload again
                </button>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

const VIDEO_FILES: readonly UploadType[] = ["video/mp4", "video/webm", "video/quicktime"];
const AUDIO_FILES: readonly UploadType[] = ["audio/webm", "audio/mp4", "audio/mpeg", "audio/ogg", "audio/wav"];

function accepted(video: boolean): string {
  return (video ? VIDEO_FILES : AUDIO_FILES).join(", ");
}

/** The upload type of a chosen file, or null when the question does not take it. */
function fileType(file: File, video: boolean): UploadType | null {
  const base = file.type.split(";")[0]?.trim() as UploadType;
  return (video ? VIDEO_FILES : AUDIO_FILES).includes(base) ? base : null;
}

function FileChooser(props: { video: boolean; onChange: (event: Event) => void; error: string | null }) {
  return (
    <div class="field file-instead">
      <label for="recording-file">Upload a recording instead</label>
      <input
        id="recording-file"
        type="file"
        accept={accepted(props.video)}
        onChange={props.onChange}
        aria-describedby="recording-file-hint"
        aria-invalid={props.error ? true : undefined}
      />
      <p class="hint" id="recording-file-hint">
        A {props.video ? "video" : "sound"} file you recorded yourself, instead of recording here.
      </p>
      {props.error && <p class="error">{props.error}</p>}
    </div>
  );
}
