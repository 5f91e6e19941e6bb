// Vite: builds the UI into dist/ (embedded in the app binary). `--mode mock` builds
// mock.html instead, into dist-mock/: the same UI over the official mockIPC backend, which
// the headless-Chromium tests drive.
import { defineConfig } from "vite";

export default defineConfig(({ mode }) => ({
  clearScreen: false,
  build: {
    target: "es2022",
    outDir: mode === "mock" ? "dist-mock" : "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    rollupOptions: { input: mode === "mock" ? "mock.html" : "index.html" },
  },
}));
