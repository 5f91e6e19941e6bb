// The settings window checks the clipboard delay against the app's own range, from the
// generated rules (Rules.ts, from prefs.rs), and saves nothing outside it (happy-dom; the
// backend is a stub that records what it is asked to save).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppSettings } from "../../src/bindings/AppSettings";
import { RULES } from "../../src/bindings/Rules";

const saved: AppSettings[] = [];
vi.mock("../../src/ipc", () => ({
  backend: {
    saveSettings: (settings: AppSettings) => {
      saved.push(settings);
      return Promise.resolve(null);
    },
  },
}));

const { settingsView } = await import("../../src/views/settings");

const current: AppSettings = {
  refresh_lead_secs: null,
  clipboard_clear_secs: 30,
  notifications: true,
  autostart: false,
};

function submit(clearAfter: string): HTMLElement {
  const view = settingsView(current, { saved() {}, cancel() {} });
  document.body.replaceChildren(view.element);
  const input = view.element.querySelector<HTMLInputElement>("[name=clipboard_clear_secs]");
  if (!input) throw new Error("no clipboard delay field");
  input.value = clearAfter;
  view.element.querySelector("form")?.requestSubmit();
  return view.element;
}

beforeEach(() => {
  saved.length = 0;
});

describe("the settings window's clipboard delay", () => {
  it("takes the range's ends and refuses what lies outside, naming the range", () => {
    expect([RULES.clipboardClearMinSecs, RULES.clipboardClearMaxSecs]).toEqual([1, 3600]);
    for (const bad of ["0", "3601", "1.5", "-1", ""]) {
      const form = submit(bad);
      expect(saved, bad).toEqual([]);
      expect(form.querySelector(".outcome")?.textContent).toContain("1 to 3600 seconds");
    }
    for (const good of ["1", "3600"]) {
      submit(good);
    }
    expect(saved.map((s) => s.clipboard_clear_secs)).toEqual([1, 3600]);
  });
});
