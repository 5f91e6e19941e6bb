// Log in: a new password, secret or token for an account (the way out of "needs login"). An
// OAuth 2.0 account signs in again instead (the page in the browser, or a code), with its
// client secret when the client has one; the sign-in shows while it waits (signin.ts).
// Escape and Cancel ask before throwing away a typed secret.
import type { AccountRow } from "../bindings/AccountRow";
import type { AppError } from "../bindings/AppError";
import type { Credential } from "../bindings/Credential";
import type { OAuthSettings } from "../bindings/OAuthSettings";
import type { Overview } from "../bindings/Overview";
import { hasChanges } from "../changes";
import { discardGuard } from "../discard";
import { h, onAction, uid } from "../dom";
import { backend } from "../ipc";
import { provider, secretLabel, typedSecrets } from "../providers";
import { errorWords } from "../status";
import type { View } from "../view";
import { signInPanel } from "./signin";

export function loginView(
  row: Pick<AccountRow, "id" | "name" | "provider" | "last_error">,
  done: { saved(): void; cancel(): void },
  oauth: OAuthSettings | null = null,
): View & { escape(): void; update(o: Overview): void } {
  const p = provider(row.provider);
  /** A person signs in again (not a service account's client secret). */
  const signsIn = oauth !== null && oauth.grant !== "client-credentials";
  /** The client secret goes with the sign-in (a confidential client). */
  const withSecret = !signsIn || oauth?.client_auth !== "none";
  const signIn = signInPanel(() => row.name);
  let busy = false;
  const kindId = uid("login-kind");
  const secretId = uid("login-secret");
  const kind = h(
    "select",
    { attrs: { id: kindId } },
    ...(oauth
      ? [h("option", { text: "Client secret", attrs: { value: signsIn ? "sign_in" : "password" } })]
      : typedSecrets(p).map((k) => h("option", { text: secretLabel(k, p), attrs: { value: k } }))),
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
    text: signsIn ? "Sign in" : "Log in",
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
    signsIn
      ? h("p", {
          text:
            oauth?.grant === "device-code"
              ? "Sign in shows a code to enter on the server's page, on any device."
              : "Sign in opens the server's sign-in page in your browser; TokenKeeper takes over when it comes back.",
        })
      : null,
    h(
      "div",
      { class: "field", attrs: { hidden: oauth !== null } },
      h("label", { text: "With", attrs: { for: kindId } }),
      kind,
    ),
    h(
      "div",
      { class: "field", attrs: { hidden: !withSecret } },
      h("label", { text: oauth ? "Client secret" : "Secret", attrs: { for: secretId } }),
      secret,
      h("p", { class: "hint", text: "Stored in the OS keychain only." }),
    ),
    signIn.element,
    outcome,
    buttons,
    guard.element,
  );
  const element = h("section", { class: "panel form-panel" }, form);
  const send = (e: Event) => {
    e.preventDefault();
    if (withSecret && !secret.value.trim()) {
      outcome.textContent = oauth ? "Enter the client secret." : "Enter the new secret.";
      outcome.className = "outcome bad";
      secret.focus();
      return;
    }
    submit.disabled = true;
    busy = true;
    outcome.className = "outcome";
    outcome.textContent = signsIn ? "Signing in…" : "Logging in…";
    backend
      .login(row.id, { secret_kind: kind.value as Credential, secret: secret.value })
      .then(() => done.saved())
      .catch((err: AppError) => {
        outcome.className = "outcome bad";
        outcome.textContent = err.api ? `${err.message} (${errorWords(err.api)})` : err.message;
      })
      .finally(() => {
        busy = false;
        submit.disabled = false;
      });
  };
  const focused = (e: FocusEvent) => {
    if (!guard.element.contains(e.target as Node)) guard.keepEditing();
  };
  form.addEventListener("submit", send);
  form.addEventListener("focusin", focused);
  const stopListening = onAction(element, { ...guard.actions, ...signIn.actions });
  queueMicrotask(() => (withSecret ? secret : submit).focus());
  return {
    element,
    escape: guard.escape,
    update(o: Overview) {
      signIn.update(busy ? o.sign_in : null);
      // The sign-in says what happens now.
      if (busy && o.sign_in?.step) outcome.textContent = "";
    },
    destroy() {
      if (busy) void backend.cancelSignIn().catch(() => undefined);
      signIn.destroy();
      stopListening();
      form.removeEventListener("submit", send);
      form.removeEventListener("focusin", focused);
    },
  };
}
