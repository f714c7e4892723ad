// HR's workspace: sign-up, login, templates, invitations, review. (Built by the HR pages.)
import { render } from "preact";
import type { AppConfig } from "../config";
import { Page } from "../ui/components";

export function mount(root: HTMLElement, config: AppConfig): void {
  render(<HrApp config={config} />, root);
}

function HrApp(_props: { config: AppConfig }) {
  return <Page title="Interviews">…</Page>;
}
