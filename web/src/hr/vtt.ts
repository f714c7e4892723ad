// Captions of a recorded answer: a WebVTT document made from its transcript's segments, served
// to <track> as a Blob URL (same origin, so the player needs no CORS for it).
import type { Schemas } from "../api/client";

function stamp(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

export function webVtt(segments: Schemas["Segment"][]): string {
  const cues = segments
    .filter((s) => s.text.trim() !== "")
    .map((s, i) => {
      // A cue's end must follow its start; "-->" in the text would end the cue line early.
      const end = Math.max(s.end, s.start + 0.5);
      return `${i + 1}\n${stamp(s.start)} --> ${stamp(end)}\n${s.text.trim().replace(/-->/g, "->")}`;
    });
  return `WEBVTT\n\n${cues.join("\n\n")}\n`;
}

export function vttUrl(segments: Schemas["Segment"][]): string {
  return URL.createObjectURL(new Blob([webVtt(segments)], { type: "text/vtt" }));
}
