// The candidate's interview, opened by link: /interview#<token>. (Built by the candidate pages.)
import { render } from "preact";
import type { AppConfig } from "../config";
import { Page } from "../ui/components";

export function mount(root: HTMLElement, config: AppConfig): void {
  render(<CandidateApp config={config} />, root);
}

function CandidateApp(_props: { config: AppConfig }) {
  return <Page title="Your interview">…</Page>;
}
