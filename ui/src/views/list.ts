// The accounts list: one card per account with its status (word, symbol and colour), a live
// countdown, last and next refresh, the token's fingerprint, the masked token with Reveal,
// Copy, Refresh now and the last error in the API's own words. Cards are kept and updated in
// place, so focus and a revealed token survive each update.
import type { AccountRow } from "../bindings/AccountRow";
import type { AppError } from "../bindings/AppError";
import { clear, h, uid } from "../dom";
import { countdown, localTime, relative, validFor } from "../format";
import { backend } from "../ipc";
import { provider } from "../providers";
import { errorWords, nextStep, statusLook } from "../status";

export interface ListActions {
  details(id: string): void;
  login(row: AccountRow): void;
  edit(id: string): void;
}

const MASK = "••••••••••••••••••••••••";

class Card {
  readonly el: HTMLElement;
  private readonly name: HTMLElement;
  private readonly providerEl: HTMLElement;
  private readonly status: HTMLElement;
  private readonly expires: HTMLElement;
  private readonly last: HTMLElement;
  private readonly next: HTMLElement;
  private readonly fingerprint: HTMLElement;
  private readonly token: HTMLElement;
  private readonly revealButton: HTMLButtonElement;
  private readonly loginButton: HTMLButtonElement;
  private readonly feedback: HTMLElement;
  private readonly error: HTMLElement;
  private readonly flags: HTMLElement;
  private hideTimer: number | undefined;
  private feedbackTimer: number | undefined;
  row: AccountRow;

  constructor(
    row: AccountRow,
    private readonly actions: ListActions,
  ) {
    this.row = row;
    const nameId = uid("account");
    this.name = h("h2", { class: "name", attrs: { id: nameId } });
    this.providerEl = h("span", { class: "provider" });
    this.status = h("span", { class: "status", attrs: { "data-field": "status" } });
    this.expires = h("dd", { class: "countdown", attrs: { "data-field": "countdown" } });
    this.last = h("dd", { attrs: { "data-field": "last-refresh" } });
    this.next = h("dd", { attrs: { "data-field": "next-refresh" } });
    this.fingerprint = h("code", { attrs: { "data-field": "fingerprint" } });
    this.token = h("code", { class: "token masked", text: MASK, attrs: { "data-field": "token" } });
    this.flags = h("p", { class: "flags" });
    const button = (text: string, action: string, onClick: () => void, cls = "") =>
      h("button", {
        class: cls,
        text,
        attrs: { type: "button", "data-action": action, "aria-describedby": nameId },
        on: { click: onClick },
      });
    this.revealButton = button("Reveal", "reveal", () => void this.toggleReveal());
    this.loginButton = button("Log in", "login", () => this.actions.login(this.row), "primary");
    this.feedback = h("p", {
      class: "feedback",
      attrs: { "aria-live": "polite", "data-field": "feedback" },
    });
    this.error = h("div", { class: "error", attrs: { "data-field": "error" } });
    const fact = (label: string, value: HTMLElement) =>
      h("div", {}, h("dt", { text: label }), value);
    this.el = h(
      "article",
      { class: "account", attrs: { "aria-labelledby": nameId, "data-account": row.name } },
      h("header", {}, this.name, this.providerEl, this.status),
      h(
        "dl",
        { class: "facts" },
        fact("Expires in", this.expires),
        fact("Last refresh", this.last),
        fact("Next refresh", this.next),
        fact("Fingerprint", h("dd", {}, this.fingerprint)),
      ),
      h("div", { class: "token-line" }, this.token),
      this.flags,
      h(
        "div",
        { class: "actions" },
        button("Copy", "copy", () => void this.copy(), "primary"),
        this.revealButton,
        button("Refresh now", "refresh", () => void this.refresh()),
        this.loginButton,
        button("Details", "details", () => this.actions.details(this.row.id)),
      ),
      this.feedback,
      this.error,
    );
    this.update(row, Date.now());
    this.hide();
  }

  update(row: AccountRow, now: number): void {
    // A new token: a revealed one is no longer the current one.
    const changed = row.token_fingerprint !== this.row.token_fingerprint;
    this.row = row;
    if (changed) this.hide();
    this.el.dataset.account = row.name;
    this.name.textContent = row.name;
    this.providerEl.textContent = provider(row.provider).label;
    const look = statusLook(row);
    this.status.className = `status tone-${look.tone}`;
    this.status.textContent = `${look.symbol} ${look.word}`;
    this.status.title = look.hint;
    this.el.dataset.status = look.word;
    this.expires.dataset.expires = row.expires_at ?? "";
    this.last.dataset.at = row.last_refresh ?? "";
    this.next.dataset.at = row.next_refresh_at ?? "";
    this.fingerprint.textContent = row.token_fingerprint ?? "—";
    this.fingerprint.title =
      "First 8 hex digits of the token's SHA-256: tells tokens apart, reveals nothing.";
    this.loginButton.hidden = row.status !== "needs_login";
    const flags: string[] = [];
    if (row.insecure) flags.push("⚠ TLS verification is off for this account.");
    if (row.plain_http) flags.push("⚠ Plain HTTP to another machine: tokens travel unencrypted.");
    this.flags.textContent = flags.join(" ");
    this.flags.hidden = flags.length === 0;
    clear(this.error);
    const e = row.last_error;
    if (e) {
      this.error.hidden = false;
      this.error.append(
        h("strong", { text: "Last error: " }),
        h("span", {
          class: "api-words",
          text: errorWords(e),
          attrs: { "data-field": "error-words" },
        }),
      );
      const step = nextStep(e, row.status, row.token_fingerprint != null);
      if (step) this.error.append(h("span", { class: "next-step", text: step }));
    } else {
      this.error.hidden = true;
    }
    this.tick(now);
  }

  tick(now: number): void {
    this.expires.textContent = countdown(this.row.expires_at, now);
    this.expires.title = localTime(this.row.expires_at, now);
    this.last.textContent = relative(this.row.last_refresh, now);
    this.last.title = localTime(this.row.last_refresh, now);
    this.next.textContent = this.row.next_refresh_at
      ? relative(this.row.next_refresh_at, now)
      : "—";
    this.next.title = localTime(this.row.next_refresh_at, now);
  }

  private say(text: string, bad = false): void {
    this.feedback.textContent = text;
    this.feedback.classList.toggle("bad", bad);
    window.clearTimeout(this.feedbackTimer);
    this.feedbackTimer = window.setTimeout(() => (this.feedback.textContent = ""), 8000);
  }

  private failed(e: AppError): void {
    // The message usually quotes the API's words already; add them only when it does not.
    const words = e.api && !e.message.includes(e.api.message) ? ` (${errorWords(e.api)})` : "";
    this.say(`${e.message}${words}`, true);
  }

  private async copy(): Promise<void> {
    this.say("Copying…");
    try {
      const copied = await backend.copy(this.row.id);
      this.say(
        `Copied, valid for ${validFor(copied.valid_for_secs)}. Cleared from the clipboard in ${copied.clear_after_secs} s.`,
      );
    } catch (e) {
      this.failed(e as AppError);
    }
  }

  private async refresh(): Promise<void> {
    this.say("Refreshing…");
    try {
      await backend.refresh(this.row.id);
      this.say("Refresh asked; the list shows the result.");
    } catch (e) {
      this.failed(e as AppError);
    }
  }

  private hide(): void {
    window.clearTimeout(this.hideTimer);
    // No token held (revoked by the server, or deleted with a change of server): say so
    // instead of a mask that suggests one; Copy still asks for a fresh one.
    const held = this.row.token_fingerprint != null;
    this.token.textContent = held ? MASK : "no token held";
    this.revealButton.disabled = !held;
    this.token.classList.add("masked");
    this.revealButton.textContent = "Reveal";
    this.revealButton.setAttribute("aria-pressed", "false");
  }

  private async toggleReveal(): Promise<void> {
    if (!this.token.classList.contains("masked")) {
      this.hide();
      return;
    }
    try {
      const revealed = await backend.reveal(this.row.id);
      this.token.textContent = revealed.token;
      this.token.classList.remove("masked");
      this.revealButton.textContent = "Hide";
      this.revealButton.setAttribute("aria-pressed", "true");
      this.hideTimer = window.setTimeout(() => this.hide(), revealed.hide_after_secs * 1000);
    } catch (e) {
      this.failed(e as AppError);
    }
  }

  destroy(): void {
    this.hide();
    window.clearTimeout(this.feedbackTimer);
    this.el.remove();
  }
}

export class AccountList {
  readonly el: HTMLElement;
  private readonly cards = new Map<string, Card>();
  private readonly empty: HTMLElement;
  /** Shown until the first overview: the window opens before the backend is up. */
  private loading: HTMLElement | null;

  constructor(
    private readonly actions: ListActions,
    onAdd: () => void,
  ) {
    this.loading = h("p", {
      class: "loading",
      text: "Loading accounts…",
      attrs: { role: "status" },
    });
    this.empty = h(
      "div",
      { class: "empty" },
      h("p", { text: "No accounts yet." }),
      h("button", {
        class: "primary",
        text: "Add an account",
        attrs: { type: "button" },
        on: { click: onAdd },
      }),
      h("p", {
        class: "hint",
        text: "Or from a terminal: tokenkeeper add NAME --provider … --url … --password-stdin",
      }),
    );
    this.el = h(
      "section",
      { class: "accounts", attrs: { "aria-label": "Accounts", "aria-busy": "true" } },
      this.loading,
    );
  }

  private stopLoading(): void {
    this.loading?.remove();
    this.loading = null;
    this.el.removeAttribute("aria-busy");
  }

  /** The backend could not start: says so, and why, where the accounts would be. */
  cannotStart(message: string): void {
    this.stopLoading();
    this.el.replaceChildren(
      h(
        "div",
        { class: "empty failed", attrs: { role: "alert", "data-field": "start-error" } },
        h("p", { class: "title", text: "TokenKeeper could not start" }),
        h("p", { text: message }),
        h("p", {
          class: "hint",
          text: "Fix this, then close this window and open TokenKeeper again.",
        }),
      ),
    );
  }

  update(rows: AccountRow[], now: number): void {
    this.stopLoading();
    const seen = new Set<string>();
    let previous: Element | null = null;
    for (const row of rows) {
      seen.add(row.id);
      let card = this.cards.get(row.id);
      if (card) card.update(row, now);
      else {
        card = new Card(row, this.actions);
        this.cards.set(row.id, card);
      }
      const wanted: Element | null = previous
        ? previous.nextElementSibling
        : this.el.firstElementChild;
      if (wanted !== card.el) {
        if (previous) previous.after(card.el);
        else this.el.prepend(card.el);
      }
      previous = card.el;
    }
    for (const [id, card] of this.cards) {
      if (!seen.has(id)) {
        card.destroy();
        this.cards.delete(id);
      }
    }
    this.empty.hidden = rows.length > 0;
    if (rows.length === 0) this.el.append(this.empty);
  }

  tick(now: number): void {
    for (const card of this.cards.values()) card.tick(now);
  }
}
