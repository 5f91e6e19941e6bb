// The accounts list: one card per account (views/card.ts), kept and updated in place on every
// overview, with countdowns that tick once a second from `expires_at` (no polling) and stop
// while the window is hidden. One click listener takes every card's buttons by data-action and
// data-id; Add an account (shown when there are none) is the root's action.
import type { AccountRow } from "../bindings/AccountRow";
import type { Overview } from "../bindings/Overview";
import { h, onAction } from "../dom";
import type { View } from "../view";
import { type Card, card } from "./card";

export interface ListActions {
  details(id: string): void;
  login(row: AccountRow): void;
}

export interface ListView extends View {
  update(overview: Overview): void;
  /** The backend could not start: says so, and why, where the accounts would be. */
  cannotStart(message: string): void;
}

export function listView(actions: ListActions): ListView {
  const cards = new Map<string, Card>();
  /** Shown until the first overview: the window opens before the backend is up. */
  let loading: HTMLElement | null = h("p", {
    class: "loading",
    text: "Loading accounts…",
    attrs: { role: "status" },
  });
  const empty = h(
    "div",
    { class: "empty" },
    h("p", { text: "No accounts yet." }),
    h("button", {
      class: "primary",
      text: "Add an account",
      attrs: { type: "button", "data-action": "add" },
    }),
    h("p", {
      class: "hint",
      text: "Or from a terminal: tokenkeeper add NAME --provider … --url … --password-stdin",
    }),
  );
  const element = h(
    "section",
    { class: "accounts", attrs: { "aria-label": "Accounts", "aria-busy": "true" } },
    loading,
  );
  const of = (button: HTMLElement) => cards.get(button.dataset.id ?? "");
  const stopListening = onAction(element, {
    copy: (b) => void of(b)?.copy(),
    "copy-header": (b) => void of(b)?.copy(true),
    reveal: (b) => void of(b)?.toggleReveal(),
    refresh: (b) => void of(b)?.refresh(),
    login: (b) => {
      const c = of(b);
      if (c) actions.login(c.row());
    },
    details: (b) => {
      const c = of(b);
      if (c) actions.details(c.row().id);
    },
  });

  let ticker: number | undefined;
  const tick = () => {
    const now = Date.now();
    for (const c of cards.values()) c.tick(now);
  };
  const stopTicking = () => {
    window.clearInterval(ticker);
    ticker = undefined;
  };
  const startTicking = () => {
    stopTicking();
    tick();
    ticker = window.setInterval(tick, 1000);
  };
  const visibility = () => (document.hidden ? stopTicking() : startTicking());
  document.addEventListener("visibilitychange", visibility);
  if (!document.hidden) startTicking();

  function stopLoading(): void {
    loading?.remove();
    loading = null;
    element.removeAttribute("aria-busy");
  }

  function dropCards(): void {
    for (const c of cards.values()) c.destroy();
    cards.clear();
  }

  return {
    element,

    update(overview) {
      stopLoading();
      const rows = overview.accounts;
      const now = Date.now();
      const seen = new Set<string>();
      let previous: Element | null = null;
      for (const row of rows) {
        seen.add(row.id);
        let c = cards.get(row.id);
        if (c) c.update(row, now);
        else {
          c = card(row);
          cards.set(row.id, c);
        }
        const wanted: Element | null = previous
          ? previous.nextElementSibling
          : element.firstElementChild;
        if (wanted !== c.element) {
          if (previous) previous.after(c.element);
          else element.prepend(c.element);
        }
        previous = c.element;
      }
      for (const [id, c] of cards) {
        if (!seen.has(id)) {
          c.destroy();
          cards.delete(id);
        }
      }
      empty.hidden = rows.length > 0;
      if (rows.length === 0) element.append(empty);
    },

    cannotStart(message) {
      stopLoading();
      dropCards();
      element.replaceChildren(
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
    },

    destroy() {
      stopTicking();
      document.removeEventListener("visibilitychange", visibility);
      stopListening();
      dropCards();
    },
  };
}
