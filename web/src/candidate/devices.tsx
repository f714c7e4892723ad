// The camera and microphone check: a preview, a level meter, and plain words when access is
// blocked or no device exists, with a way to try again.
import { useEffect, useRef, useState } from "preact/hooks";
import { Alert, Page } from "../ui/components";
import { DeviceError, openDevices, stopStream, watchLevel, type DeviceProblem } from "./media";

const PROBLEMS: Record<DeviceProblem, { title: string; text: string }> = {
  denied: {
    title: "Camera and microphone access is blocked",
    text:
      "Your browser did not allow this page to use your camera and microphone. Allow access in the " +
      "browser's site settings (the camera icon in the address bar), then choose Try again.",
  },
  missing: {
    title: "No camera or microphone found",
    text:
      "We could not find a camera or a microphone on this device. Connect one (or use a device " +
      "that has them), then choose Try again.",
  },
  busy: {
    title: "The camera or microphone is in use",
    text: "Another application may be using your camera or microphone. Close it, then choose Try again.",
  },
  insecure: {
    title: "This browser cannot record here",
    text: "Recording needs a current browser (Chrome, Edge, Firefox or Safari) and a secure (https) page.",
  },
  other: {
    title: "The camera or microphone could not start",
    text: "Something prevented your devices from starting. Choose Try again, or restart your browser.",
  },
};

export function DeviceCheck(props: {
  video: boolean;
  stream: MediaStream | null;
  onStream: (stream: MediaStream | null) => void;
  onContinue: () => void;
  busy?: boolean;
  error?: string;
}) {
  const { video, stream, onStream } = props;
  const [problem, setProblem] = useState<DeviceProblem | null>(null);
  const [opening, setOpening] = useState(false);
  const [level, setLevel] = useState(0);
  const [heard, setHeard] = useState(false);
  const preview = useRef<HTMLVideoElement>(null);

  const open = async (): Promise<void> => {
    setOpening(true);
    setProblem(null);
    stopStream(stream);
    onStream(null);
    try {
      onStream(await openDevices(video));
    } catch (error) {
      setProblem(error instanceof DeviceError ? error.problem : "other");
    } finally {
      setOpening(false);
    }
  };

  useEffect(() => {
    if (!stream) void open();
    // Opened once on arrival; later only by the retry button.
  }, []);

  useEffect(() => {
    if (!stream) return;
    if (preview.current) preview.current.srcObject = stream;
    return watchLevel(stream, (l) => {
      setLevel(l);
      if (l > 0.05) setHeard(true);
    });
  }, [stream]);

  const shown = problem ? PROBLEMS[problem] : null;
  return (
    <Page title="Check your camera and microphone">
      <p>
        {video
          ? "You should see yourself below, and the bar should move when you speak."
          : "The bar should move when you speak."}
      </p>
      {shown && (
        <div class="alert error" role="alert" data-testid="device-problem" data-problem={problem}>
          <h2>{shown.title}</h2>
          <p>{shown.text}</p>
        </div>
      )}
      {opening && <Alert kind="info">Asking your browser for the camera and microphone…</Alert>}
      {stream && video && (
        <video ref={preview} class="preview" muted playsInline autoPlay aria-label="Your camera's picture" />
      )}
      {stream && (
        <div class="field">
          <label for="mic-level">Microphone level</label>
          <meter id="mic-level" class="level" min={0} max={1} low={0.05} optimum={0.5} value={level} />
          <p class="hint" role="status">
            {heard ? "We can hear you." : "Say a few words to test your microphone."}
          </p>
        </div>
      )}
      {props.error && <Alert>{props.error}</Alert>}
      <div class="row">
        {(problem || !stream) && !opening && (
          <button type="button" onClick={() => void open()}>
            Try again
          </button>
        )}
        {stream && (
          <button type="button" onClick={props.onContinue} disabled={props.busy}>
            {props.busy ? "Starting…" : "My camera and microphone work: continue"}
          </button>
        )}
        {stream && (
          <button type="button" class="secondary" onClick={() => void open()}>
            Restart the devices
          </button>
        )}
      </div>
    </Page>
  );
}
