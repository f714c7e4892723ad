// Camera and microphone: the stream, what went wrong getting it, the recorder's container and
// the microphone's level (Web Audio's AnalyserNode).
import type { UploadType } from "./api";

export type DeviceProblem = "denied" | "missing" | "busy" | "insecure" | "other";

export async function openDevices(video: boolean): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new DeviceError("insecure");
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true },
      video: video ? { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" } : false,
    });
  } catch (error) {
    throw new DeviceError(problemOf(error));
  }
}

export class DeviceError extends Error {
  constructor(readonly problem: DeviceProblem) {
    super(problem);
    this.name = "DeviceError";
  }
}

function problemOf(error: unknown): DeviceProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "missing";
  if (name === "NotReadableError" || name === "AbortError") return "busy";
  return "other";
}

export function stopStream(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

const VIDEO_TYPES = ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"];
const AUDIO_TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"];

/** The first container this browser records, and the content type the API is told. */
export function recorderType(video: boolean): { mimeType: string; contentType: UploadType } | null {
  if (typeof MediaRecorder === "undefined") return null;
  for (const mimeType of video ? VIDEO_TYPES : AUDIO_TYPES) {
    if (MediaRecorder.isTypeSupported(mimeType)) {
      return { mimeType, contentType: mimeType.split(";")[0] as UploadType };
    }
  }
  return null;
}

/** Calls `onLevel` (0..1, the RMS of the microphone's signal) about every animation frame. */
export function watchLevel(stream: MediaStream, onLevel: (level: number) => void): () => void {
  if (stream.getAudioTracks().length === 0 || typeof AudioContext === "undefined") return () => {};
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const tick = (): void => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    // RMS of speech is ~0.02-0.2: scaled so that speaking fills most of the meter.
    onLevel(Math.min(1, Math.sqrt(sum / samples.length) * 5));
    frame = requestAnimationFrame(tick);
  };
  void context.resume();
  tick();
  return () => {
    cancelAnimationFrame(frame);
    source.disconnect();
    void context.close();
  };
}
