// One account's card in the list: its status (word, symbol and colour), a countdown, last and
// next refresh, the token's fingerprint, the masked token with Reveal, Copy, Refresh now and
// the last error in the API's own words. Updated in place, so focus and a revealed token
// survive each overview. The list's one click listener calls copy(), reveal() and refresh().
import type { AccountRow } from "../bindings/AccountRow";
import type { AppError } from "../bindings/AppError";
import { PROVIDER_LABELS } from "../bindings/ProviderLabels";
import { type ActionName, clear, h, uid } from "../dom";
import { countdown, localTime, relative, validFor } from "../format";
import { backend } from "../ipc";
import { errorWords, nextStep, statusLook } from "../status";

const MASK = "••••••••••••••••••••••••";

export interface Card {
  readonly element: HTMLElement;
  row(): AccountRow;
  update(row: AccountRow, now: number): void;
  tick(now: number): void;
  /** Copies the token, or with `asHeader` the whole `Authorization` header its API wants. */
  copy(asHeader?: boolean): Promise<void>;
  refresh(): Promise<void>;
  toggleReveal(): Promise<void>;
  /** Masks the token and clears the card's timers. */
  destroy(): void;
}

export function card(first: AccountRow): Card {
  let row = first;
  let hideTimer: number | undefined;
  let feedbackTimer: number | undefined;
  /** Destroyed: answers that arrive later show nothing and start no timer. */
  let gone = false;
  const nameId = uid("account");
  // The name opens the details, so Enter on a focused name does what `d` does.
  const nameLink = h("button", {
    class: "name-link",
    attrs: { type: "button", "data-action": "details", "data-id": first.id, title: "Details" },
  });
  const name = h("h2", { class: "name", attrs: { id: nameId } }, nameLink);
  const providerEl = h("span", { class: "provider" });
  const status = h("span", { class: "status", attrs: { "data-field": "status" } });
  const expires = h("dd", { class: "countdown", attrs: { "data-field": "countdown" } });
  const last = h("dd", { attrs: { "data-field": "last-refresh" } });
  const next = h("dd", { attrs: { "data-field": "next-refresh" } });
  const fingerprint = h("code", { attrs: { "data-field": "fingerprint" } });
  const token = h("code", { class: "token masked", text: MASK, attrs: { "data-field": "token" } });
  const flags = h("p", { class: "flags" });
  const button = (text: string, action: ActionName, cls = "") =>
    h("button", {
      class: cls,
      text,
      attrs: {
        type: "button",
        "data-action": action,
        "data-id": row.id,
        "aria-describedby": nameId,
      },
    });
  const revealButton = button("Reveal", "reveal");
  const loginButton = button("Log in", "login", "primary");
  const feedback = h("p", {
    class: "feedback",
    attrs: { "aria-live": "polite", "data-field": "feedback" },
  });
  const error = h("div", { class: "error", attrs: { "data-field": "error" } });
  const fact = (label: string, value: HTMLElement) => h("div", {}, h("dt", { text: label }), value);
  const element = h(
    "article",
    { class: "account", attrs: { "aria-labelledby": nameId, "data-account": row.name } },
    h("header", {}, name, providerEl, status),
    h(
      "dl",
      { class: "facts" },
      // Where a refresh revokes the token, it stops working at the next refresh, before it
      // expires: the card says so.
      fact(first.revokes_on_refresh ? "Works for" : "Expires in", expires),
      fact("Last refresh", last),
      fact("Next refresh", next),
      fact("Fingerprint", h("dd", {}, fingerprint)),
    ),
    h("div", { class: "token-line" }, token),
    flags,
    h(
      "div",
      { class: "actions" },
      button("Copy", "copy", "primary"),
      button("Copy as header", "copy-header"),
      revealButton,
      button("Refresh now", "refresh"),
      loginButton,
      button("Details", "details"),
    ),
    feedback,
    error,
  );

  function tick(now: number): void {
    // Until the token stops working: its expiry, or for an API whose refresh revokes the
    // previous token, the next refresh.
    const until = row.valid_until ?? row.expires_at;
    expires.textContent = countdown(until, now);
    expires.title =
      until === row.expires_at
        ? localTime(until, now)
        : `${localTime(until, now)}: the next refresh revokes it (it expires ${localTime(row.expires_at, now)})`;
    last.textContent = relative(row.last_refresh, now);
    last.title = localTime(row.last_refresh, now);
    next.textContent = row.next_refresh_at ? relative(row.next_refresh_at, now) : "—";
    next.title = localTime(row.next_refresh_at, now);
  }

  function update(fresh: AccountRow, now: number): void {
    // A new token: a revealed one is no longer the current one.
    const changed = fresh.token_fingerprint !== row.token_fingerprint;
    row = fresh;
    if (changed) hide();
    element.dataset.account = row.name;
    nameLink.textContent = row.name;
    providerEl.textContent = PROVIDER_LABELS[row.provider] ?? row.provider;
    const look = statusLook(row);
    status.className = `status tone-${look.tone}`;
    status.textContent = `${look.symbol} ${look.word}`;
    status.title = look.hint;
    element.dataset.status = look.word;
    expires.dataset.expires = row.valid_until ?? row.expires_at ?? "";
    last.dataset.at = row.last_refresh ?? "";
    next.dataset.at = row.next_refresh_at ?? "";
    fingerprint.textContent = row.token_fingerprint ?? "—";
    fingerprint.title =
      "First 8 hex digits of the token's SHA-256: tells tokens apart, reveals nothing.";
    loginButton.hidden = row.status !== "needs_login";
    const said: string[] = [];
    if (row.insecure) said.push("⚠ TLS verification is off for this account.");
    if (row.plain_http) said.push("⚠ Plain HTTP to another machine: tokens travel unencrypted.");
    flags.textContent = said.join(" ");
    flags.hidden = said.length === 0;
    clear(error);
    const e = row.last_error;
    if (e) {
      error.hidden = false;
      error.append(
        h("strong", { text: "Last error: " }),
        h("span", {
          class: "api-words",
          text: errorWords(e),
          attrs: { "data-field": "error-words" },
        }),
      );
      const step = nextStep(e, row.status, row.token_fingerprint != null);
      if (step) error.append(h("span", { class: "next-step", text: step }));
    } else {
      error.hidden = true;
    }
    tick(now);
  }

  function say(text: string, bad = false): void {
    if (gone) return;
    feedback.textContent = text;
    feedback.classList.toggle("bad", bad);
    window.clearTimeout(feedbackTimer);
    feedbackTimer = window.setTimeout(() => {
      feedback.textContent = "";
    }, 8000);
  }

  function failed(e: AppError): void {
    // The message usually quotes the API's words already; add them only when it does not.
    const words = e.api && !e.message.includes(e.api.message) ? ` (${errorWords(e.api)})` : "";
    say(`${e.message}${words}`, true);
  }

  function hide(): void {
    window.clearTimeout(hideTimer);
    // No token held (revoked by the server, or deleted with a change of server): say so
    // instead of a mask that suggests one; Copy still asks for a fresh one.
    const held = row.token_fingerprint != null;
    token.textContent = held ? MASK : "no token held";
    revealButton.disabled = !held;
    token.classList.add("masked");
    revealButton.textContent = "Reveal";
    revealButton.setAttribute("aria-pressed", "false");
  }

  update(row, Date.now());
  hide();

  return {
    element,
    row: () => row,
    update,
    tick,
    async copy(asHeader = false) {
      say("Copying…");
      try {
        const copied = await (asHeader ? backend.copyHeader(row.id) : backend.copy(row.id));
        say(
          `Copied${asHeader ? " as header" : ""}, valid for ${validFor(copied.valid_for_secs)}. Cleared from the clipboard in ${copied.clear_after_secs} s.`,
        );
      } catch (e) {
        failed(e as AppError);
      }
    },
    async refresh() {
      say("Refreshing…");
      try {
        await backend.refresh(row.id);
        say(
          row.revokes_on_refresh
            ? "Refresh asked; the list shows the result. This API revokes the previous token at each refresh: tokens copied before stop working."
            : "Refresh asked; the list shows the result.",
        );
      } catch (e) {
        failed(e as AppError);
      }
    },
    async toggleReveal() {
      if (!token.classList.contains("masked")) {
        hide();
        return;
      }
      try {
        const revealed = await backend.reveal(row.id);
        if (gone) return;
        token.textContent = revealed.token;
        token.classList.remove("masked");
        revealButton.textContent = "Hide";
        revealButton.setAttribute("aria-pressed", "true");
        hideTimer = window.setTimeout(hide, revealed.hide_after_secs * 1000);
      } catch (e) {
        failed(e as AppError);
      }
    },
    destroy() {
      gone = true;
      hide();
      window.clearTimeout(feedbackTimer);
      element.remove();
    },
  };
}
