// Reports the first paint the same way TokenKeeper's UI does: after the first frame.
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("painted")));
