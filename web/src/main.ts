// The one entry of index.html. It decides which app a path belongs to and loads only that one:
// the candidate's interview (/interview, by link, no account) or HR's workspace (everything else).
import "./ui/styles.css";
import { loadConfig } from "./config";

async function boot(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  const config = await loadConfig();
  if (location.pathname.startsWith("/interview")) {
    const { mount } = await import("./candidate/app");
    mount(root, config);
  } else {
    const { mount } = await import("./hr/app");
    mount(root, config);
  }
}

void boot();
