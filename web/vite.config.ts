import { defineConfig } from "vite";

// One page (index.html) for every path: the entry loads the candidate's app on /interview and
// HR's workspace elsewhere, each as its own chunk, so a candidate never downloads HR's code.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    manifest: true,
    sourcemap: false,
    target: "es2022",
    assetsInlineLimit: 0,
  },
  server: { port: 5173, strictPort: true },
});
