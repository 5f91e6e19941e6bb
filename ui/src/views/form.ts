// The add and edit form: one form that adapts to the provider (base URL with the API's usual
// port, the user name as that API calls it, the kinds of secret it takes, ttl for Redis
// Enterprise, refresh lead), validated as you type. Saving runs the first login; the API's
// error shows inline and nothing is stored. An untrusted certificate shows what the server
// presented and offers to trust it, or a CA file; skipping verification stays behind an
// explicit warning.
import type { AccountForm } from "../bindings/AccountForm";
import type { AccountInfo } from "../bindings/AccountInfo";
import type { AppError } from "../bindings/AppError";
import type { CertificateProblem } from "../bindings/CertificateProblem";
import type { ProviderKind } from "../bindings/ProviderKind";
import type { SecretKind } from "../bindings/SecretKind";
import { clear, h, uid } from "../dom";
import { backend } from "../ipc";
import { PROVIDERS, provider, secretLabel } from "../providers";
import { errorWords } from "../status";
import { type Field, type FormValues, isValid, normalizeFingerprint, validate } from "../validate";
import { certificateFacts, problemTitle } from "./certificate";

export interface FormDone {
  /** `secretsDeleted`: an edit moved the account to another server or trust setting without a
   * new secret, so the stored secrets were deleted and it needs a login. */
  saved(name: string, secretsDeleted: boolean): void;
  cancel(): void;
}

type Input = HTMLInputElement | HTMLSelectElement;

export class AccountFormView {
  readonly el: HTMLElement;
  private readonly inputs = new Map<Field, Input>();
  private readonly messages = new Map<Field, HTMLElement>();
  private readonly rows = new Map<Field, HTMLElement>();
  private readonly secretKind: HTMLSelectElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly outcome: HTMLElement;
  private readonly certPrompt: HTMLElement;
  private touched = new Set<Field>();
  private busy = false;

  constructor(
    private readonly existingNames: string[],
    private readonly done: FormDone,
    private readonly editing: AccountInfo | null = null,
  ) {
    const title = editing ? `Edit ${editing.name}` : "Add an account";
    const providerSelect = h(
      "select",
      { attrs: { disabled: editing != null } },
      ...PROVIDERS.map((p) => h("option", { text: p.label, attrs: { value: p.id } })),
    );
    this.secretKind = h("select");
    this.saveButton = h("button", {
      class: "primary",
      text: editing ? "Save" : "Add and log in",
      attrs: { type: "submit", "data-action": "save" },
    });
    this.outcome = h("div", {
      class: "outcome",
      attrs: { "aria-live": "polite", "data-field": "form-outcome" },
    });
    this.certPrompt = h("div", {
      class: "cert-prompt",
      attrs: { hidden: true, "data-field": "cert-prompt" },
    });

    const form = h(
      "form",
      { class: "account-form", attrs: { novalidate: true, "aria-label": title } },
      h("h2", { text: title }),
      this.field("provider", "API", providerSelect),
      this.field(
        "name",
        "Name",
        h("input", { attrs: { autocomplete: "off", spellcheck: "false" } }),
        "Used by scripts: tokenkeeper token NAME",
      ),
      this.field(
        "url",
        "Base URL",
        h("input", { attrs: { type: "url", autocomplete: "off", spellcheck: "false" } }),
      ),
      this.field(
        "username",
        "User name",
        h("input", { attrs: { autocomplete: "username", spellcheck: "false" } }),
      ),
      this.field("secretKind", "Log in with", this.secretKind),
      this.field(
        "secret",
        "Password",
        h("input", { attrs: { type: "password", autocomplete: "new-password" } }),
        editing
          ? "Leave empty to keep the stored secret. A new address or trust setting without it deletes the stored secrets: they are never sent to another server."
          : "Stored in the OS keychain only.",
      ),
      this.field(
        "ttl",
        "Token lifetime (s)",
        h("input", { attrs: { inputmode: "numeric", placeholder: "300" } }),
        "Redis Enterprise: 1 to 86400 seconds",
      ),
      this.field(
        "refreshLead",
        "Refresh lead (s)",
        h("input", { attrs: { inputmode: "numeric", placeholder: "automatic" } }),
        "Refresh this long before expiry; empty for the default.",
      ),
      this.field(
        "allowPlainHttp",
        "Allow plain HTTP to this server (unencrypted)",
        h("input", { attrs: { type: "checkbox" } }),
      ),
      h(
        "details",
        { class: "advanced" },
        h("summary", { text: "Certificates" }),
        this.field(
          "caCert",
          "CA or server certificate file (PEM)",
          h("input", { attrs: { spellcheck: "false", placeholder: "/path/to/ca.pem" } }),
        ),
        this.field(
          "trustCert",
          "Trusted certificate (SHA-256)",
          h("input", { attrs: { spellcheck: "false", placeholder: "AB:CD:…" } }),
        ),
        this.field(
          "insecure",
          "Skip certificate verification (unsafe)",
          h("input", { attrs: { type: "checkbox" } }),
        ),
      ),
      this.certPrompt,
      this.outcome,
      h(
        "div",
        { class: "actions" },
        this.saveButton,
        h("button", {
          text: "Cancel",
          attrs: { type: "button", "data-action": "cancel" },
          on: { click: () => this.done.cancel() },
        }),
      ),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.save();
    });
    form.addEventListener("input", (e) => this.changed(e.target as Element));
    form.addEventListener("change", (e) => this.changed(e.target as Element));
    this.el = h("section", { class: "panel form-panel" }, form);

    if (editing) {
      this.set("provider", editing.provider);
      this.set("name", editing.name);
      this.set("url", editing.url.replace(/\/$/, ""));
      this.set("username", editing.username ?? "");
      this.set("ttl", editing.ttl != null ? String(editing.ttl) : "");
      this.set(
        "refreshLead",
        editing.refresh_lead_secs != null ? String(editing.refresh_lead_secs) : "",
      );
      this.set("caCert", editing.ca_cert ?? "");
      this.set("trustCert", editing.trust_cert ?? "");
      (this.inputs.get("insecure") as HTMLInputElement).checked = editing.insecure;
      (this.inputs.get("allowPlainHttp") as HTMLInputElement).checked = editing.allow_plain_http;
    } else {
      this.set("provider", PROVIDERS[0].id);
    }
    this.adapt();
    this.refreshValidation();
  }

  private field(name: Field, label: string, input: Input, hint?: string): HTMLElement {
    const id = uid(`f-${name}`);
    input.id = id;
    input.name = name;
    const message = h("p", { class: "message", attrs: { id: `${id}-msg`, "data-message": name } });
    input.setAttribute("aria-describedby", `${id}-msg`);
    this.inputs.set(name, input);
    this.messages.set(name, message);
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
    this.rows.set(name, row);
    return row;
  }

  private set(name: Field, value: string): void {
    const input = this.inputs.get(name);
    if (input) input.value = value;
  }

  values(): FormValues {
    const get = (f: Field) => this.inputs.get(f)?.value ?? "";
    return {
      name: get("name"),
      provider: get("provider") as ProviderKind,
      url: get("url"),
      username: get("username"),
      secretKind: get("secretKind") as SecretKind,
      secret: get("secret"),
      ttl: get("ttl"),
      refreshLead: get("refreshLead"),
      caCert: get("caCert"),
      trustCert: get("trustCert"),
      insecure: (this.inputs.get("insecure") as HTMLInputElement).checked,
      allowPlainHttp: (this.inputs.get("allowPlainHttp") as HTMLInputElement).checked,
    };
  }

  /** Shows the fields this provider has, with its words. */
  private adapt(): void {
    const p = provider(this.values().provider);
    const current = this.secretKind.value as SecretKind;
    clear(this.secretKind);
    for (const kind of p.secrets) {
      this.secretKind.append(h("option", { text: secretLabel(kind, p), attrs: { value: kind } }));
    }
    this.secretKind.value = p.secrets.includes(current) ? current : p.secrets[0];
    const url = this.inputs.get("url") as HTMLInputElement;
    url.placeholder = p.exampleUrl;
    const usernameRow = this.rows.get("username");
    if (usernameRow) {
      usernameRow.hidden = p.usernameLabel === null;
      const label = usernameRow.querySelector("label");
      if (label) label.textContent = p.usernameLabel ?? "User name";
    }
    const ttlRow = this.rows.get("ttl");
    if (ttlRow) ttlRow.hidden = !p.hasTtl;
    this.secretKind.closest(".field")?.toggleAttribute("hidden", p.secrets.length < 2);
    const secretLabelEl = this.rows.get("secret")?.querySelector("label");
    if (secretLabelEl)
      secretLabelEl.textContent = secretLabel(this.secretKind.value as SecretKind, p);
  }

  private changed(target: Element): void {
    const name = (target as Input).name as Field;
    if (name) this.touched.add(name);
    if (name === "provider" || name === "secretKind") this.adapt();
    if (name === "url" || name === "trustCert" || name === "caCert") this.certPrompt.hidden = true;
    if (name === "secret") this.touched.add("username");
    this.refreshValidation();
  }

  private refreshValidation(showAll = false): boolean {
    const result = validate(
      this.values(),
      this.existingNames.filter((n) => n !== this.editing?.name),
      this.editing != null,
    );
    for (const [name, message] of this.messages) {
      const error = result.errors[name];
      const warning = result.warnings[name];
      const show = showAll || this.touched.has(name) || (warning && !error);
      message.textContent = show ? (error ?? warning ?? "") : "";
      message.className = `message ${error && show ? "bad" : warning ? "warn" : ""}`;
      this.inputs.get(name)?.setAttribute("aria-invalid", error && show ? "true" : "false");
    }
    const ok = isValid(result);
    this.saveButton.disabled = this.busy;
    this.saveButton.setAttribute("aria-disabled", String(!ok));
    return ok;
  }

  private formData(): AccountForm {
    const v = this.values();
    const p = provider(v.provider);
    const num = (t: string) => (t.trim() ? Number(t.trim()) : null);
    return {
      name: v.name.trim(),
      provider: v.provider,
      url: v.url.trim(),
      username: p.usernameLabel && v.username.trim() ? v.username.trim() : null,
      secret_kind: v.secretKind,
      secret: v.secret,
      ttl: p.hasTtl ? num(v.ttl) : null,
      refresh_lead_secs: num(v.refreshLead),
      ca_cert: v.caCert.trim() || null,
      trust_cert: v.trustCert.trim() ? normalizeFingerprint(v.trustCert) : null,
      insecure: v.insecure,
      allow_plain_http: v.allowPlainHttp,
    };
  }

  private async save(): Promise<void> {
    if (!this.refreshValidation(true) || this.busy) {
      this.outcome.textContent = "Fix the fields marked above first.";
      this.outcome.className = "outcome bad";
      const firstBad = [...this.inputs.values()].find(
        (i) => i.getAttribute("aria-invalid") === "true",
      );
      firstBad?.focus();
      return;
    }
    this.busy = true;
    this.saveButton.disabled = true;
    this.outcome.className = "outcome";
    this.outcome.textContent = this.editing ? "Saving…" : "Logging in…";
    try {
      const form = this.formData();
      const view = this.editing
        ? await backend.edit(this.editing.id, form)
        : await backend.add(form);
      const deleted =
        this.editing !== null &&
        this.editing.status !== "needs_login" &&
        view.status === "needs_login";
      this.done.saved(form.name, deleted);
    } catch (e) {
      this.showError(e as AppError);
    } finally {
      this.busy = false;
      this.saveButton.disabled = false;
    }
  }

  private showError(e: AppError): void {
    clear(this.outcome);
    this.outcome.className = "outcome bad";
    this.outcome.append(h("p", { text: e.message, attrs: { "data-field": "form-error" } }));
    if (e.api) {
      this.outcome.append(
        h("p", {
          class: "api-words",
          text: `The API answered: ${errorWords(e.api)}`,
          attrs: { "data-field": "form-api-words" },
        }),
      );
    }
    if (e.code === "needs_login" || e.code === "auth") {
      this.inputs.get("secret")?.focus();
    }
    if (e.certificate) this.showCertificate(e.certificate);
  }

  private showCertificate(problem: CertificateProblem): void {
    clear(this.certPrompt);
    this.certPrompt.hidden = false;
    const leaf = problem.presented[0];
    const now = Date.now();
    this.certPrompt.append(
      h("h3", { text: problemTitle(problem) }),
      h("p", {
        text: "Compare the fingerprint with what your administrator gave you (or with `openssl x509 -noout -fingerprint -sha256`). Trust it only if they match.",
      }),
    );
    if (problem.pinned) {
      this.certPrompt.append(
        h("p", {
          class: "warn",
          text: `You trusted ${problem.pinned}; the server now presents another certificate (renewed, or someone in between).`,
        }),
      );
    }
    if (leaf) this.certPrompt.append(certificateFacts(leaf, now));
    const useCa = h("button", {
      text: "Use a CA file instead",
      attrs: { type: "button", "data-action": "use-ca-file" },
      on: {
        click: () => {
          const details = this.el.querySelector("details");
          if (details) details.open = true;
          this.inputs.get("caCert")?.focus();
        },
      },
    });
    const trust = h("button", {
      class: "primary",
      text: "Trust this certificate",
      attrs: { type: "button", "data-action": "trust-cert", disabled: !leaf },
      on: {
        click: () => {
          if (!leaf) return;
          this.set("trustCert", leaf.sha256);
          const details = this.el.querySelector("details");
          if (details) details.open = true;
          this.certPrompt.hidden = true;
          void this.save();
        },
      },
    });
    this.certPrompt.append(h("div", { class: "actions" }, trust, useCa));
  }
}
