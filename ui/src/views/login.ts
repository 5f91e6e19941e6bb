// Log in: a new password, secret or token for an account (the way out of "needs login").
// Escape and Cancel ask before throwing away a typed secret.
import type { AccountRow } from "../bindings/AccountRow";
import type { AppError } from "../bindings/AppError";
import type { Credential } from "../bindings/Credential";
import { hasChanges } from "../changes";
import { discardGuard } from "../discard";
import { h, onAction, uid } from "../dom";
import { backend } from "../ipc";
import { provider, secretLabel, typedSecrets } from "../providers";
import { errorWords } from "../status";
import type { View } from "../view";

export function loginView(
  row: Pick<AccountRow, "id" | "name" | "provider" | "last_error">,
  done: { saved(): void; cancel(): void },
): View & { escape(): void } {
  const p = provider(row.provider);
  const kindId = uid("login-kind");
  const secretId = uid("login-secret");
  const kind = h(
    "select",
    { attrs: { id: kindId } },
    ...typedSecrets(p).map((k) => h("option", { text: secretLabel(k, p), attrs: { value: k } })),
  );
  const secret = h("input", {
    attrs: { id: secretId, type: "password", autocomplete: "current-password" },
  });
  const outcome = h("div", {
    class: "outcome",
    attrs: { "aria-live": "polite", "data-field": "login-outcome" },
  });
  const submit = h("button", {
    class: "primary",
    text: "Log in",
    attrs: { type: "submit", "data-action": "submit-login" },
  });
  const buttons = h(
    "div",
    { class: "actions" },
    submit,
    h("button", { text: "Cancel", attrs: { type: "button", "data-action": "cancel" } }),
  );
  const values = () => ({ kind: kind.value, secret: secret.value });
  const initial = values();
  const guard = discardGuard({
    buttons,
    changed: () => hasChanges(initial, values()),
    leave: done.cancel,
  });
  const form = h(
    "form",
    { class: "account-form", attrs: { "aria-label": `Log in to ${row.name}` } },
    h("h2", { text: `Log in: ${row.name}` }),
    row.last_error
      ? h("p", { class: "api-words", text: `Last error: ${errorWords(row.last_error)}` })
      : null,
    h("div", { class: "field" }, h("label", { text: "With", attrs: { for: kindId } }), kind),
    h(
      "div",
      { class: "field" },
      h("label", { text: "Secret", attrs: { for: secretId } }),
      secret,
      h("p", { class: "hint", text: "Stored in the OS keychain only." }),
    ),
    outcome,
    buttons,
    guard.element,
  );
  const element = h("section", { class: "panel form-panel" }, form);
  const send = (e: Event) => {
    e.preventDefault();
    if (!secret.value.trim()) {
      outcome.textContent = "Enter the new secret.";
      outcome.className = "outcome bad";
      secret.focus();
      return;
    }
    submit.disabled = true;
    outcome.className = "outcome";
    outcome.textContent = "Logging in…";
    backend
      .login(row.id, { secret_kind: kind.value as Credential, secret: secret.value })
      .then(() => done.saved())
      .catch((err: AppError) => {
        outcome.className = "outcome bad";
        outcome.textContent = err.api ? `${err.message} (${errorWords(err.api)})` : err.message;
      })
      .finally(() => {
        submit.disabled = false;
      });
  };
  const focused = (e: FocusEvent) => {
    if (!guard.element.contains(e.target as Node)) guard.keepEditing();
  };
  form.addEventListener("submit", send);
  form.addEventListener("focusin", focused);
  const stopListening = onAction(element, guard.actions);
  queueMicrotask(() => secret.focus());
  return {
    element,
    escape: guard.escape,
    destroy() {
      stopListening();
      form.removeEventListener("submit", send);
      form.removeEventListener("focusin", focused);
    },
  };
}
