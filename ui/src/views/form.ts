// The add and edit form: one form that adapts to the provider (base URL with the API's usual
// port, the user name as that API calls it, the kinds of secret it takes, ttl for Redis
// Enterprise, refresh lead), validated as you type. Saving runs the first login; the API's
// error shows inline and nothing is stored. An untrusted certificate shows what the server
// presented and offers to trust it, or a CA file; skipping verification stays behind an
// explicit warning. Escape and Cancel ask before throwing away what was typed. An OAuth 2.0
// account starts from its issuer URL: Discover reads what the server supports
// (oauth-fields.ts), and saving signs the person in, shown while it waits (signin.ts).
import type { AccountForm } from "../bindings/AccountForm";
import type { AccountInfo } from "../bindings/AccountInfo";
import type { AppError } from "../bindings/AppError";
import type { ClientAuth } from "../bindings/ClientAuth";
import type { Credential } from "../bindings/Credential";
import type { Grant } from "../bindings/Grant";
import type { Overview } from "../bindings/Overview";
import type { PresentedCertificate } from "../bindings/PresentedCertificate";
import type { ProviderKind } from "../bindings/ProviderKind";
import { RULES } from "../bindings/Rules";
import { hasChanges } from "../changes";
import { discardGuard } from "../discard";
import { clear, h, onAction, uid } from "../dom";
import { backend } from "../ipc";
import { PROVIDERS, provider, secretLabel, typedSecrets } from "../providers";
import { errorWords } from "../status";
import {
  type Field,
  type FormValues,
  isValid,
  normalizeFingerprint,
  parseTags,
  validate,
} from "../validate";
import type { View } from "../view";
import { certificatePrompt } from "./certificate";
import { oauthFields, oauthRequest } from "./oauth-fields";
import { signInPanel } from "./signin";

export interface FormDone {
  /** `secretsDeleted`: an edit moved the account to another server or trust setting without a
   * new secret, so the stored secrets were deleted and it needs a login. */
  saved(name: string, secretsDeleted: boolean): void;
  cancel(): void;
}

type Input = HTMLInputElement | HTMLSelectElement;

const EDIT_SECRET_HINT =
  "Leave empty to keep the stored secret. A new address or trust setting without it deletes the stored secrets: they are never sent to another server.";

export function formView(
  existingNames: string[],
  done: FormDone,
  editing: AccountInfo | null = null,
): View & { escape(): void; update(o: Overview): void } {
  const inputs = new Map<Field, Input>();
  const messages = new Map<Field, HTMLElement>();
  const rows = new Map<Field, HTMLElement>();
  const touched = new Set<Field>();
  let busy = false;
  /** The certificate the server presented last (Trust this certificate pins it). */
  let presented: PresentedCertificate | undefined;

  const field = (name: Field, label: string, input: Input, hint?: string): HTMLElement => {
    const id = uid(`f-${name}`);
    input.id = id;
    input.name = name;
    const message = h("p", { class: "message", attrs: { id: `${id}-msg`, "data-message": name } });
    input.setAttribute("aria-describedby", `${id}-msg`);
    inputs.set(name, input);
    messages.set(name, message);
    const isBox = input instanceof HTMLInputElement && input.type === "checkbox";
    const row = h(
      "div",
      { class: isBox ? "field checkbox" : "field" },
      isBox ? input : null,
      h("label", { text: label, attrs: { for: id } }),
      isBox ? null : input,
      hint ? h("p", { class: "hint", text: hint }) : null,
      message,
    );
    rows.set(name, row);
    return row;
  };
  const input = (attrs: Record<string, string>) => h("input", { attrs });

  const title = editing ? `Edit ${editing.name}` : "Add an account";
  const secretKind = h("select");
  const saveButton = h("button", {
    class: "primary",
    text: editing ? "Save" : "Add and log in",
    attrs: { type: "submit", "data-action": "save" },
  });
  const outcome = h("div", {
    class: "outcome",
    attrs: { "aria-live": "polite", "data-field": "form-outcome" },
  });
  const certPrompt = h("div", {
    class: "cert-prompt",
    attrs: { hidden: true, "data-field": "cert-prompt" },
  });
  const buttons = h(
    "div",
    { class: "actions" },
    saveButton,
    h("button", { text: "Cancel", attrs: { type: "button", "data-action": "cancel" } }),
  );
  const guard = discardGuard({
    buttons,
    changed: () => hasChanges(initial, values()),
    leave: done.cancel,
  });
  const details = h(
    "details",
    { class: "advanced" },
    h("summary", { text: "Certificates" }),
    field(
      "caCert",
      "CA or server certificate file (PEM)",
      input({ spellcheck: "false", placeholder: "/path/to/ca.pem" }),
    ),
    field(
      "trustCert",
      "Trusted certificate (SHA-256)",
      input({ spellcheck: "false", placeholder: "AB:CD:…" }),
    ),
    field("insecure", "Skip certificate verification (unsafe)", input({ type: "checkbox" })),
  );
  const oauth = oauthFields(field);
  const signIn = signInPanel(() => values().name.trim());
  const discoverButton = h("button", {
    text: "Discover",
    attrs: { type: "button", "data-action": "discover" },
  });
  const form = h(
    "form",
    { class: "account-form", attrs: { novalidate: true, "aria-label": title } },
    h("h2", { text: title }),
    field(
      "provider",
      "API",
      h(
        "select",
        { attrs: { disabled: editing != null } },
        ...PROVIDERS.map((p) => h("option", { text: p.label, attrs: { value: p.id } })),
      ),
    ),
    field(
      "name",
      "Name",
      input({ autocomplete: "off", spellcheck: "false" }),
      "Used by scripts: tokenkeeper token NAME",
    ),
    field("url", "Base URL", input({ type: "url", autocomplete: "off", spellcheck: "false" })),
    oauth.discovered,
    oauth.element,
    field("username", "User name", input({ autocomplete: "username", spellcheck: "false" })),
    field("secretKind", "Log in with", secretKind),
    field(
      "secret",
      "Password",
      input({ type: "password", autocomplete: "new-password" }),
      editing ? EDIT_SECRET_HINT : "Stored in the OS keychain only.",
    ),
    field(
      "ttl",
      "Token lifetime (s)",
      input({ inputmode: "numeric", placeholder: "300" }),
      `Redis Enterprise: ${RULES.ttlMinSecs} to ${RULES.ttlMaxSecs} seconds`,
    ),
    field(
      "refreshLead",
      "Refresh lead (s)",
      input({ inputmode: "numeric", placeholder: "automatic" }),
      "Refresh this long before expiry; empty for the default.",
    ),
    field(
      "tags",
      "Tags",
      input({ autocomplete: "off", spellcheck: "false", placeholder: "prod client-a" }),
      "To find and group accounts: words separated by spaces.",
    ),
    field(
      "allowPlainHttp",
      "Allow plain HTTP to this server (unencrypted)",
      input({ type: "checkbox" }),
    ),
    details,
    certPrompt,
    signIn.element,
    outcome,
    buttons,
    guard.element,
  );
  const element = h("section", { class: "panel form-panel" }, form);
  rows.get("url")?.querySelector("input")?.after(discoverButton);

  const set = (name: Field, value: string) => {
    const el = inputs.get(name);
    if (el) el.value = value;
  };
  const box = (name: Field) => inputs.get(name) as HTMLInputElement;

  function values(): FormValues {
    const get = (f: Field) => inputs.get(f)?.value ?? "";
    return {
      name: get("name"),
      provider: get("provider") as ProviderKind,
      url: get("url"),
      username: get("username"),
      secretKind: get("secretKind") as Credential,
      secret: get("secret"),
      ttl: get("ttl"),
      refreshLead: get("refreshLead"),
      caCert: get("caCert"),
      trustCert: get("trustCert"),
      insecure: box("insecure").checked,
      allowPlainHttp: box("allowPlainHttp").checked,
      tags: get("tags"),
      clientId: get("clientId"),
      grant: get("grant") as Grant,
      clientAuth: get("clientAuth") as ClientAuth | "auto",
      scopes: get("scopes"),
      resource: get("resource"),
      audience: get("audience"),
      tokenEndpoint: get("tokenEndpoint"),
      authorizationEndpoint: get("authorizationEndpoint"),
      deviceEndpoint: get("deviceEndpoint"),
      revocationEndpoint: get("revocationEndpoint"),
    };
  }

  /** Shows the fields this provider has, with its words. */
  function adapt(): void {
    const p = provider(values().provider);
    const current = secretKind.value as Credential;
    const secrets = typedSecrets(p);
    clear(secretKind);
    for (const kind of secrets) {
      secretKind.append(h("option", { text: secretLabel(kind, p), attrs: { value: kind } }));
    }
    secretKind.value = secrets.includes(current) ? current : secrets[0];
    (inputs.get("url") as HTMLInputElement).placeholder = p.exampleUrl;
    const usernameRow = rows.get("username");
    if (usernameRow) {
      // An API without a login has no user name.
      usernameRow.hidden = !p.secrets.includes("password");
      const label = usernameRow.querySelector("label");
      if (label) label.textContent = p.usernameLabel;
    }
    const ttlRow = rows.get("ttl");
    if (ttlRow) ttlRow.hidden = !p.hasTtl;
    secretKind.closest(".field")?.toggleAttribute("hidden", secrets.length < 2);
    const secretLabelEl = rows.get("secret")?.querySelector("label");
    if (secretLabelEl) secretLabelEl.textContent = secretLabel(secretKind.value as Credential, p);
    const isOAuth = p.id === "oauth2";
    // An OAuth 2.0 account: the issuer first, the client's fields, a client secret only when
    // the client has one; the window edits only what every account has.
    oauth.element.hidden = !isOAuth || editing != null;
    discoverButton.hidden = !isOAuth || editing != null;
    if (!isOAuth || editing) oauth.discovered.hidden = true;
    if (isOAuth) {
      for (const name of ["username", "secretKind", "ttl"] as const) {
        const r = rows.get(name);
        if (r) r.hidden = true;
      }
      const secretRow = rows.get("secret");
      if (secretRow) secretRow.hidden = editing != null;
      const hint = secretRow?.querySelector(".hint");
      if (hint)
        hint.textContent =
          "Only for a client with a secret (a confidential client, a service account). Stored in the OS keychain only.";
    }
    const urlLabel = rows.get("url")?.querySelector("label");
    if (urlLabel) urlLabel.textContent = isOAuth ? "Issuer URL" : "Base URL";
    // An OAuth 2.0 account's endpoints came with its issuer: another server is a new account.
    const urlInput = inputs.get("url");
    if (urlInput) urlInput.disabled = isOAuth && editing != null;
    if (!editing) {
      const service = values().grant === "client-credentials";
      saveButton.textContent = isOAuth && !service ? "Add and sign in" : "Add and log in";
    }
  }

  function changed(target: Element): void {
    const name = (target as Input).name as Field;
    if (name) touched.add(name);
    if (name === "provider" || name === "secretKind" || name === "grant") adapt();
    if (name === "url" || name === "trustCert" || name === "caCert") certPrompt.hidden = true;
    if (name === "url") oauth.forget();
    if (name === "secret") touched.add("username");
    refreshValidation();
  }

  function refreshValidation(showAll = false): boolean {
    const result = validate(
      values(),
      existingNames.filter((n) => n !== editing?.name),
      editing != null,
    );
    for (const [name, message] of messages) {
      const error = result.errors[name];
      const warning = result.warnings[name];
      const show = showAll || touched.has(name) || (warning && !error);
      message.textContent = show ? (error ?? warning ?? "") : "";
      message.className = `message ${error && show ? "bad" : warning ? "warn" : ""}`;
      inputs.get(name)?.setAttribute("aria-invalid", error && show ? "true" : "false");
    }
    const ok = isValid(result);
    saveButton.disabled = busy;
    saveButton.setAttribute("aria-disabled", String(!ok));
    return ok;
  }

  function formData(): AccountForm {
    const v = values();
    const p = provider(v.provider);
    const num = (t: string) => (t.trim() ? Number(t.trim()) : null);
    const isOAuth = p.id === "oauth2" && editing == null;
    const service = v.grant === "client-credentials";
    return {
      name: v.name.trim(),
      provider: v.provider,
      url: v.url.trim(),
      username: !isOAuth && p.usernameLabel && v.username.trim() ? v.username.trim() : null,
      secret_kind: isOAuth ? (service ? "password" : "sign_in") : v.secretKind,
      secret: v.secret,
      ttl: p.hasTtl ? num(v.ttl) : null,
      refresh_lead_secs: num(v.refreshLead),
      ca_cert: v.caCert.trim() || null,
      trust_cert: v.trustCert.trim() ? normalizeFingerprint(v.trustCert) : null,
      insecure: v.insecure,
      allow_plain_http: v.allowPlainHttp,
      tags: parseTags(v.tags),
      oauth: isOAuth ? oauthRequest(v) : null,
    };
  }

  async function save(): Promise<void> {
    if (!refreshValidation(true) || busy) {
      outcome.textContent = "Fix the fields marked above first.";
      outcome.className = "outcome bad";
      const firstBad = [...inputs.values()].find((i) => i.getAttribute("aria-invalid") === "true");
      firstBad?.focus();
      return;
    }
    busy = true;
    saveButton.disabled = true;
    outcome.className = "outcome";
    const isOAuth = !editing && values().provider === "oauth2";
    outcome.textContent = editing
      ? "Saving…"
      : isOAuth && values().grant !== "client-credentials"
        ? "Reading the server's discovery document, then signing in…"
        : "Logging in…";
    try {
      const data = formData();
      const view = editing ? await backend.edit(editing.id, data) : await backend.add(data);
      const deleted =
        editing !== null && editing.status !== "needs_login" && view.status === "needs_login";
      done.saved(data.name, deleted);
    } catch (e) {
      showError(e as AppError);
    } finally {
      busy = false;
      saveButton.disabled = false;
    }
  }

  function showError(e: AppError): void {
    clear(outcome);
    outcome.className = "outcome bad";
    outcome.append(h("p", { text: e.message, attrs: { "data-field": "form-error" } }));
    if (e.api) {
      outcome.append(
        h("p", {
          class: "api-words",
          text: `The API answered: ${errorWords(e.api)}`,
          attrs: { "data-field": "form-api-words" },
        }),
      );
    }
    if (e.code === "needs_login" || e.code === "auth") inputs.get("secret")?.focus();
    if (e.certificate) {
      presented = e.certificate.presented[0];
      certPrompt.replaceChildren(certificatePrompt(e.certificate, Date.now()).element);
      certPrompt.hidden = false;
    }
  }

  if (editing) {
    set("provider", editing.provider);
    set("name", editing.name);
    set("url", editing.url.replace(/\/$/, ""));
    set("username", editing.username ?? "");
    set("ttl", editing.ttl != null ? String(editing.ttl) : "");
    set("refreshLead", editing.refresh_lead_secs != null ? String(editing.refresh_lead_secs) : "");
    set("caCert", editing.ca_cert ?? "");
    set("trustCert", editing.trust_cert ?? "");
    box("insecure").checked = editing.insecure;
    box("allowPlainHttp").checked = editing.allow_plain_http;
    set("tags", editing.tags.join(" "));
  } else {
    set("provider", PROVIDERS[0].id);
  }
  adapt();
  refreshValidation();
  /** What the fields held when the form opened: Escape asks only when they differ. */
  const initial = values();

  const submit = (e: Event) => {
    e.preventDefault();
    void save();
  };
  const edited = (e: Event) => changed(e.target as Element);
  const focused = (e: FocusEvent) => {
    if (!guard.element.contains(e.target as Node)) guard.keepEditing();
  };
  form.addEventListener("submit", submit);
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("focusin", focused);
  async function discover(): Promise<void> {
    const url = values().url.trim();
    if (!url) {
      outcome.className = "outcome bad";
      outcome.textContent = "Enter the issuer URL first.";
      inputs.get("url")?.focus();
      return;
    }
    outcome.className = "outcome";
    outcome.textContent = "Reading the server's discovery document…";
    discoverButton.disabled = true;
    try {
      oauth.showDiscovery(await backend.discover(formData()));
      outcome.textContent = "";
      adapt();
      refreshValidation();
    } catch (e) {
      oauth.forget();
      showError(e as AppError);
    } finally {
      discoverButton.disabled = false;
    }
  }

  const stopListening = onAction(element, {
    ...guard.actions,
    ...signIn.actions,
    discover: () => void discover(),
    "use-ca-file": () => {
      details.open = true;
      inputs.get("caCert")?.focus();
    },
    "trust-cert": () => {
      if (!presented) return;
      set("trustCert", presented.sha256);
      details.open = true;
      certPrompt.hidden = true;
      void save();
    },
  });

  return {
    element,
    escape: guard.escape,
    update(o: Overview) {
      signIn.update(busy ? o.sign_in : null);
      // The sign-in says what happens now.
      if (busy && o.sign_in?.step) outcome.textContent = "";
    },
    destroy() {
      // Leaving while a sign-in waits ends it: nothing is added behind the user's back.
      if (busy) void backend.cancelSignIn().catch(() => undefined);
      signIn.destroy();
      stopListening();
      form.removeEventListener("submit", submit);
      form.removeEventListener("input", edited);
      form.removeEventListener("change", edited);
      form.removeEventListener("focusin", focused);
    },
  };
}
