// The list without a mouse: arrow keys (and Home/End) move through the shown cards, Enter copies
// the focused account's token, `h` copies it as a header, `r` refreshes it, `d` (or Enter on
// its focused name, a button) opens its detail; from the filter field, Enter copies the first
// match and ArrowDown goes to it; `?` shows every shortcut. One card at a time is in the tab
// order with its buttons (a roving tabindex), so Tab leaves the list instead of crossing
// hundreds of cards; the selected card's buttons carry their shortcut (aria-keyshortcuts). The
// keys press the card's own buttons, so they do exactly what a click does. Loaded with the find
// bar, after the first paint.
import { type ActionName, h, withAction } from "../dom";
import { store } from "../state";

/** Every shortcut, as the help lists it. */
export const SHORTCUTS: readonly [string, string][] = [
  ["/  or  Ctrl+F", "Filter the accounts"],
  ["Escape", "Clear the filter (on an account: back to the filter)"],
  ["↓ ↑  → ←  Home End", "Move through the accounts (↑ on the first: back to the filter)"],
  ["Enter", "Copy the token (in the filter: of the first match)"],
  ["h", "Copy as header"],
  ["r", "Refresh now"],
  ["d  or  Enter on the name", "Open the details"],
  ["?", "Show this help"],
];

/** The key that presses each of a card's buttons, by the button's action. */
const KEYS: Readonly<Record<string, ActionName>> = {
  Enter: "copy",
  h: "copy-header",
  r: "refresh",
  d: "details",
};
/** What each of a card's buttons is pressed by, for aria-keyshortcuts (KEYS the other way),
 * looked up by the `data-action` a button carries. */
const SHORTCUT_OF: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(KEYS).map(([key, action]) => [action, key.length === 1 ? key.toUpperCase() : key]),
);

export interface ListKeys {
  /** After the list is arranged (`focused`: what had the focus before): keeps one shown card
   * in the tab order, and the focus in the list if it was there. */
  arranged(focused: Element | null): void;
  /** Enter in the filter: copies the first shown card's token. */
  first(press: boolean): void;
  destroy(): void;
}

/** `toFilter` puts the focus in the filter field. */
export function listKeys(parent: HTMLElement, toFilter: () => void): ListKeys {
  let current: HTMLElement | null = null;
  /** Whether the focus is (or was, until its row went away) in the list. */
  let inList = false;
  /** The account selected last (the store keeps it): a list view made again (back from the
   * details) selects it again at its first arrangement, if it is still there. */
  let restore = store.state.selectedAccount;
  // What a screen reader says of the selected card besides its name.
  const hint = h("p", {
    text: "Enter copies the token; the arrow keys move; question mark lists every shortcut.",
    attrs: { id: "list-keys-hint", hidden: true },
  });
  parent.before(hint);
  const shown = () =>
    [...parent.querySelectorAll<HTMLElement>("article.account")].filter((el) => !el.hidden);
  /** Puts a card and its buttons in the tab order, or takes them out. */
  const tabbable = (el: HTMLElement, on: boolean) => {
    el.tabIndex = on ? 0 : -1;
    if (on) el.setAttribute("aria-describedby", hint.id);
    else el.removeAttribute("aria-describedby");
    for (const b of el.querySelectorAll<HTMLElement>("button")) {
      if (on) b.removeAttribute("tabindex");
      else b.tabIndex = -1;
      const keys = on && b.dataset.action ? SHORTCUT_OF[b.dataset.action] : undefined;
      if (keys && !b.classList.contains("name-link")) b.setAttribute("aria-keyshortcuts", keys);
      else b.removeAttribute("aria-keyshortcuts");
    }
  };
  const select = (el: HTMLElement | undefined, focus: boolean) => {
    if (!el) return;
    if (current && current !== el) tabbable(current, false);
    if (current !== el || el.tabIndex !== 0) tabbable(el, true);
    current = el;
    store.accountSelected(el.dataset.account ?? null);
    if (focus) el.focus();
  };
  const press = (el: HTMLElement, action: ActionName) =>
    el
      .querySelector<HTMLButtonElement>(`${withAction(action)}:not([hidden]):not(:disabled)`)
      ?.click();

  const onKey = (e: KeyboardEvent) => {
    const target = e.target instanceof HTMLElement ? e.target : null;
    const card = target?.closest<HTMLElement>("article.account");
    if (!target || !card || e.ctrlKey || e.metaKey || e.altKey) return;
    // On one of the card's buttons, Enter presses that button (the name: the details).
    if (target !== card && e.key === "Enter") return;
    const cards = shown();
    const at = cards.indexOf(card);
    if ((e.key === "ArrowUp" && at === 0) || e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      toFilter();
      return;
    }
    const to = moveTo(e.key, cards, at);
    if (to !== null) {
      e.preventDefault();
      select(cards[Math.max(0, Math.min(cards.length - 1, to))], true);
    } else if (KEYS[e.key]) {
      e.preventDefault();
      press(card, KEYS[e.key]);
    }
  };
  const onFocus = (e: FocusEvent) => {
    inList = true;
    const card =
      e.target instanceof HTMLElement ? e.target.closest<HTMLElement>("article.account") : null;
    if (card) select(card, false);
  };
  // Leaving for elsewhere on the page; a row that vanishes takes the focus to nowhere (null).
  const onBlur = (e: FocusEvent) => {
    if (e.relatedTarget instanceof Node && !parent.contains(e.relatedTarget)) inList = false;
  };
  parent.addEventListener("keydown", onKey);
  parent.addEventListener("focusin", onFocus);
  parent.addEventListener("focusout", onBlur);

  const help = h(
    "dialog",
    { class: "shortcuts", attrs: { "aria-label": "Keyboard shortcuts" } },
    h("h2", { text: "Keyboard shortcuts" }),
    h(
      "dl",
      {},
      ...SHORTCUTS.flatMap(([keys, what]) => [
        h("dt", {}, h("kbd", { text: keys })),
        h("dd", { text: what }),
      ]),
    ),
    h("button", { text: "Close", attrs: { type: "button", "data-close": "" } }),
  ) as HTMLDialogElement;
  help.addEventListener("click", (e) => {
    if (
      e.target instanceof HTMLElement &&
      (e.target === help || e.target.hasAttribute("data-close"))
    )
      help.close();
  });
  document.body.append(help);
  const onHelp = (e: KeyboardEvent) => {
    const typing =
      e.target instanceof HTMLElement &&
      (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
    if (e.key !== "?" || typing || !parent.isConnected) return;
    e.preventDefault();
    if (help.open) help.close();
    else help.showModal();
  };
  document.addEventListener("keydown", onHelp);

  return {
    arranged(focused) {
      // A moved element loses the focus: the row (or its button) gets it back.
      if (focused instanceof HTMLElement && focused !== document.activeElement) {
        if (parent.contains(focused) && !focused.closest("[hidden]"))
          focused.focus({ preventScroll: true });
      }
      const cards = shown();
      // A card is taken out once (a new one comes in tabbable); later passes skip it.
      for (const el of cards)
        if (el !== current && el.getAttribute("tabindex") !== "-1") tabbable(el, false);
      const nowhere = document.activeElement === document.body || !document.activeElement;
      if (restore !== null) {
        // Back from the details: the same account, with the focus if nobody else has it.
        const again = cards.find((el) => el.dataset.account === restore);
        if (again) {
          restore = null;
          select(again, nowhere);
          return;
        }
      }
      if (!current || current.hidden || !current.isConnected) {
        // The selected row went (filtered out, removed): the focus goes on, not to nowhere.
        const refocus = inList && nowhere;
        if (cards[0]) select(cards[0], refocus);
        else if (refocus) toFilter();
      }
    },
    first(copy) {
      const el = shown()[0];
      select(el, true);
      if (el && copy) press(el, "copy");
    },
    destroy() {
      parent.removeEventListener("keydown", onKey);
      parent.removeEventListener("focusin", onFocus);
      parent.removeEventListener("focusout", onBlur);
      hint.remove();
      document.removeEventListener("keydown", onHelp);
      help.remove();
    },
  };
}

/** Where a moving key goes from the card at `at` (null: not a moving key). Only the up and
 * down arrows read the layout. */
function moveTo(key: string, cards: readonly HTMLElement[], at: number): number | null {
  switch (key) {
    case "ArrowDown":
      return below(cards, at, 1);
    case "ArrowUp":
      return below(cards, at, -1);
    case "ArrowRight":
      return at + 1;
    case "ArrowLeft":
      return at - 1;
    case "Home":
      return 0;
    case "End":
      return cards.length - 1;
    default:
      return null;
  }
}

/** The card a row below (`step` 1) or above (-1) the one at `at`: in a grid of cards, the next
 * one in the same column; in a list of rows, the next one. */
function below(cards: readonly HTMLElement[], at: number, step: 1 | -1): number {
  const from = cards[at];
  if (!from) return at + step;
  const top = from.offsetTop;
  for (let i = at + step; i >= 0 && i < cards.length; i += step) {
    const el = cards[i];
    if (el && el.offsetTop !== top && Math.abs(el.offsetLeft - from.offsetLeft) < 2) return i;
  }
  return at + step;
}
