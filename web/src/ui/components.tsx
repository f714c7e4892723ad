// The few building blocks both apps share: a page with a focused heading (screen readers hear
// where they are after a navigation), labelled fields, buttons, alerts and a progress bar.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Page(props: { title: string; children: ComponentChildren; wide?: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Interviews`;
    heading.current?.focus();
  }, [props.title]);
  return (
    <main class={props.wide ? "page wide" : "page"}>
      <h1 tabIndex={-1} ref={heading}>
        {props.title}
      </h1>
      {props.children}
    </main>
  );
}

type InputProps = JSX.InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string };

export function Field({ label, hint, error, id, ...input }: InputProps) {
  const fieldId = id ?? `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const describedBy = [hint && `${fieldId}-hint`, error && `${fieldId}-error`].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={fieldId}>{label}</label>
      <input id={fieldId} aria-invalid={error ? true : undefined} aria-describedby={describedBy || undefined} {...input} />
      {hint && (
        <p class="hint" id={`${fieldId}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${fieldId}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Alert(props: { kind?: "error" | "info" | "success"; children: ComponentChildren }) {
  const kind = props.kind ?? "error";
  return (
    <div class={`alert ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

export function Progress(props: { value: number; max?: number; label: string }) {
  const max = props.max ?? 1;
  const pct = Math.round((Math.min(props.value, max) / max) * 100);
  return (
    <div class="progress">
      <progress value={props.value} max={max} aria-label={props.label} />
      <span aria-hidden="true">{pct}%</span>
    </div>
  );
}
