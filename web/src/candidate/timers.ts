// Countdowns and stopwatches from a wall-clock deadline (a throttled background tab does not
// drift), plus the coarse text a polite live region announces (not every second).
import { useEffect, useState } from "preact/hooks";

/** Seconds left until `endsAt` (ms since epoch), re-rendered 4 times a second; 0 when past. */
export function useSecondsLeft(endsAt: number | null): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (endsAt === null) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [endsAt]);
  return endsAt === null ? 0 : Math.max(0, Math.ceil((endsAt - now) / 1000));
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function spoken(seconds: number): string {
  if (seconds >= 60) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return `${m} minute${m === 1 ? "" : "s"}${s ? ` ${s} seconds` : ""}`;
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** What a screen reader hears about a timer: only at a few moments, not every tick. */
export function announcement(left: number, total: number, what: string): string {
  const marks = new Set([60, 30, 10, 5]);
  if (left === total || marks.has(left) || (left > 60 && left % 60 === 0)) return `${spoken(left)} ${what}.`;
  return "";
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} seconds`;
  const m = Math.round(seconds / 60);
  return `${m} minute${m === 1 ? "" : "s"}`;
}
