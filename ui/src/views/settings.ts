// Settings: default refresh lead, clipboard clear delay, notifications, start at login. The
// theme follows the system (light or dark) by itself. Escape and Cancel leave at once.
import type { AppError } from "../bindings/AppError";
import type { AppSettings } from "../bindings/AppSettings";
import { RULES } from "../bindings/Rules";
import { h, onAction, uid } from "../dom";
import { backend } from "../ipc";
import type { View } from "../view";

export function settingsView(current: AppSettings, done: { saved(): void; cancel(): void }): View {
  const field = (label: string, input: HTMLInputElement, hint: string) => {
    input.id = uid("setting");
    const box = input.type === "checkbox";
    return h(
      "div",
      { class: box ? "field checkbox" : "field" },
      box ? input : null,
      h("label", { text: label, attrs: { for: input.id } }),
      box ? null : input,
      h("p", { class: "hint", text: hint }),
    );
  };
  const lead = h("input", {
    attrs: { inputmode: "numeric", placeholder: "automatic", name: "refresh_lead_secs" },
  });
  lead.value = current.refresh_lead_secs != null ? String(current.refresh_lead_secs) : "";
  const clearAfter = h("input", { attrs: { inputmode: "numeric", name: "clipboard_clear_secs" } });
  clearAfter.value = String(current.clipboard_clear_secs);
  const notifications = h("input", { attrs: { type: "checkbox", name: "notifications" } });
  notifications.checked = current.notifications;
  const autostart = h("input", { attrs: { type: "checkbox", name: "autostart" } });
  autostart.checked = current.autostart;
  const outcome = h("div", { class: "outcome", attrs: { "aria-live": "polite" } });
  const form = h(
    "form",
    { class: "account-form", attrs: { "aria-label": "Settings" } },
    h("h2", { text: "Settings" }),
    field(
      "Default refresh lead (s)",
      lead,
      "How long before expiry to refresh accounts that set none; empty: a share of each token's lifetime.",
    ),
    field(
      "Clear copied tokens after (s)",
      clearAfter,
      "The clipboard is cleared then, if it still holds the token.",
    ),
    field(
      "Notifications",
      notifications,
      "When an account fails, needs login, or its session is about to end.",
    ),
    field(
      "Start at login",
      autostart,
      "Starts the background (tray and refreshes) when you log in; this window opens when you ask for it.",
    ),
    h("p", { class: "hint", text: "The theme follows your system's light or dark setting." }),
    outcome,
    h(
      "div",
      { class: "actions" },
      h("button", {
        class: "primary",
        text: "Save",
        attrs: { type: "submit", "data-action": "save-settings" },
      }),
      h("button", { text: "Cancel", attrs: { type: "button", "data-action": "cancel" } }),
    ),
  );
  const save = (e: Event) => {
    e.preventDefault();
    const num = (t: string) => (t.trim() ? Number(t.trim()) : null);
    const leadValue = num(lead.value);
    const clearValue = num(clearAfter.value);
    if (
      (leadValue !== null &&
        (!Number.isInteger(leadValue) || leadValue < 0 || leadValue > RULES.refreshLeadMaxSecs)) ||
      clearValue === null ||
      !Number.isInteger(clearValue) ||
      clearValue < RULES.clipboardClearMinSecs ||
      clearValue > RULES.clipboardClearMaxSecs
    ) {
      outcome.className = "outcome bad";
      outcome.textContent = `The lead is whole seconds up to ${RULES.refreshLeadMaxSecs} (or empty); the clipboard delay ${RULES.clipboardClearMinSecs} to ${RULES.clipboardClearMaxSecs} seconds.`;
      return;
    }
    backend
      .saveSettings({
        refresh_lead_secs: leadValue,
        clipboard_clear_secs: clearValue,
        notifications: notifications.checked,
        autostart: autostart.checked,
      })
      .then(() => done.saved())
      .catch((err: AppError) => {
        outcome.className = "outcome bad";
        outcome.textContent = err.message;
      });
  };
  form.addEventListener("submit", save);
  const element = h("section", { class: "panel form-panel" }, form);
  const stopListening = onAction(element, { cancel: () => done.cancel() });
  return {
    element,
    destroy() {
      stopListening();
      form.removeEventListener("submit", save);
    },
  };
}
