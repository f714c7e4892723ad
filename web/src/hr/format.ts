// Small formatting and link-token helpers of HR's pages.
import { useEffect, useRef } from "preact/hooks";

/** "1:05" from seconds (the player's and the transcript's clock). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m % 60).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** "12:03:04": the time of day of a moment (a status's time, beside the day shown elsewhere). */
export function timeOf(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}

export function words(s: string): string {
  const spaced = s.replace(/_/g, " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/**
 * The token an emailed link carries in its fragment (/verify-email#<token>). It is taken out of
 * the address bar at once, so it stays out of the history, bookmarks and screenshots.
 */
export function takeFragmentToken(): string {
  const token = decodeURIComponent(location.hash.replace(/^#/, ""));
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

/** Runs `tick` every `ms` while `active`, and once at once when it becomes active. */
export function usePoll(active: boolean, ms: number, tick: () => void | Promise<void>): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: number | undefined;
    const loop = async (): Promise<void> => {
      try {
        await latest.current();
      } finally {
        if (!stopped) timer = window.setTimeout(() => void loop(), ms);
      }
    };
    timer = window.setTimeout(() => void loop(), ms);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [active, ms]);
}

/** A fresh Idempotency-Key: a double click or a retried request creates one thing, not two. */
export function idempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
