// The accounts list: one card per account (views/card.ts), kept and updated in place on every
// overview, in the chosen order (name, expiry, status; remembered), narrowed by the filter
// field (`/` or Ctrl+F focuses it, Escape clears it; find.ts). Countdowns tick once a second
// from `expires_at` (no polling), only for the cards on screen (an IntersectionObserver), and
// not at all while the window is hidden; a status change still reaches every card through
// update(). One click listener takes every card's buttons by data-action and data-id; Add an
// account (shown when there are none) is the root's action.
import type { AccountRow } from "../bindings/AccountRow";
import type { Overview } from "../bindings/Overview";
import { h, onAction } from "../dom";
import type { View } from "../view";
import { type Card, card } from "./card";
import type { FindBar } from "./findbar";
import type { OnScreen } from "./onscreen";

export interface ListActions {
  details(id: string): void;
  login(row: AccountRow): void;
}

export interface ListView extends View {
  update(overview: Overview): void;
  /** The backend could not start: says so, and why, where the accounts would be. */
  cannotStart(message: string): void;
}

type FindModule = typeof import("./findbar");
/** The find bar's module, once loaded, so a list made again (back from the details) builds its
 * find bar at once. A cache of code, not the app's state: the store does not hold it. */
let findModule: FindModule | null = null;

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
      text: "Or in a terminal: tokenkeeper add NAME --provider … --url … --password-stdin",
    }),
  );
  let rows: AccountRow[] = [];
  /** The find bar, once loaded (after the first paint); until then every row shows. */
  let bar: FindBar | null = null;
  const grid = h("div", { class: "cards" });
  const element = h(
    "section",
    { class: "accounts", attrs: { "aria-label": "Accounts", "aria-busy": "true" } },
    loading,
    grid,
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

  /** Which cards are on screen, once loaded (after the first paint); until then all tick. */
  let screen: OnScreen<Card> | null = null;
  let ticker: number | undefined;
  const tick = () => {
    const now = Date.now();
    for (const c of cards.values()) if (!screen || screen.has(c)) c.tick(now);
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
    for (const c of cards.values()) {
      screen?.unwatch(c.element);
      c.destroy();
    }
    cards.clear();
  }

  /** Once the find bar is there: the chosen order, the filter, the count. */
  const arrange = () => bar?.arrange(rows, (id) => cards.get(id)?.element, grid);

  let destroyed = false;
  // What only many accounts need comes after the first paint: the find bar (filter, sort,
  // count) and the on-screen tracking that keeps off-screen cards from ticking. A list made
  // again (back from the details) has it at once, so it never paints in the wrong layout.
  const withFindBar = (find: FindModule) => {
    bar = find.findBar(arrange);
    element.prepend(bar.element);
    screen = find.onScreen<Card>((c) => c.tick(Date.now()));
    for (const c of cards.values()) screen.watch(c.element, c);
    arrange();
  };
  if (findModule) withFindBar(findModule);
  else
    void import("./findbar").then((find) => {
      findModule = find;
      if (!destroyed) withFindBar(find);
    });

  return {
    element,

    update(overview) {
      stopLoading();
      rows = overview.accounts;
      const now = Date.now();
      const seen = new Set<string>();
      for (const row of rows) {
        seen.add(row.id);
        const c = cards.get(row.id);
        // Every card gets its status, on screen or not; only the ticking is for those shown.
        if (c) c.update(row, now);
        else {
          const made = card(row);
          cards.set(row.id, made);
          grid.append(made.element);
          screen?.watch(made.element, made);
        }
      }
      for (const [id, c] of cards) {
        if (!seen.has(id)) {
          screen?.unwatch(c.element);
          c.destroy();
          cards.delete(id);
        }
      }
      arrange();
      empty.hidden = rows.length > 0;
      if (rows.length === 0) grid.append(empty);
    },

    cannotStart(message) {
      stopLoading();
      dropCards();
      bar?.element.remove();
      grid.replaceChildren(
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
      destroyed = true;
      bar?.destroy();
      screen?.disconnect();
      stopListening();
      dropCards();
    },
  };
}
