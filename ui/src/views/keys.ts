// The list without a mouse: arrow keys (and Home/End) move through the shown cards, Enter copies
// the focused account's token, `h` copies it as a header, `r` refreshes it, `d` opens its
// detail; from the filter field, Enter copies the first match and ArrowDown goes to it; `?`
// shows every shortcut. One card at a time is in the tab order (a roving tabindex), so Tab
// leaves the list instead of crossing hundreds of cards. The keys press the card's own buttons,
// so they do exactly what a click does. Loaded with the find bar, after the first paint.
import { h } from "../dom";

/** Every shortcut, as the help lists it. */
export const SHORTCUTS: readonly [string, string][] = [
  ["/  or  Ctrl+F", "Filter the accounts"],
  ["Escape", "Clear the filter"],
  ["↓ ↑  → ←  Home End", "Move through the accounts"],
  ["Enter", "Copy the token (in the filter: of the first match)"],
  ["h", "Copy as header"],
  ["r", "Refresh now"],
  ["d", "Open the details"],
  ["?", "Show this help"],
];

const KEYS: Record<string, string> = {
  Enter: "copy",
  h: "copy-header",
  r: "refresh",
  d: "details",
};

export interface ListKeys {
  /** After the list is arranged: keeps one shown card in the tab order. */
  arranged(): void;
  /** Enter in the filter: copies the first shown card's token. */
  first(press: boolean): void;
  destroy(): void;
}

export function listKeys(parent: HTMLElement): ListKeys {
  let current: HTMLElement | null = null;
  const shown = () =>
    [...parent.querySelectorAll<HTMLElement>("article.account")].filter((el) => !el.hidden);
  const select = (el: HTMLElement | undefined, focus: boolean) => {
    if (!el) return;
    if (current && current !== el) current.tabIndex = -1;
    current = el;
    el.tabIndex = 0;
    if (focus) el.focus();
  };
  const press = (el: HTMLElement, action: string) =>
    el
      .querySelector<HTMLButtonElement>(`[data-action="${action}"]:not([hidden]):not(:disabled)`)
      ?.click();

  const onKey = (e: KeyboardEvent) => {
    const card =
      e.target instanceof HTMLElement && e.target.matches("article.account") ? e.target : null;
    if (!card || e.ctrlKey || e.metaKey || e.altKey) return;
    const cards = shown();
    const at = cards.indexOf(card);
    const moves: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowRight: at + 1,
      ArrowUp: at - 1,
      ArrowLeft: at - 1,
      Home: 0,
      End: cards.length - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      select(cards[Math.max(0, Math.min(cards.length - 1, moves[e.key] ?? at))], true);
    } else if (KEYS[e.key]) {
      e.preventDefault();
      press(card, KEYS[e.key] ?? "");
    }
  };
  const onFocus = (e: FocusEvent) => {
    if (e.target instanceof HTMLElement && e.target.matches("article.account"))
      select(e.target, false);
  };
  parent.addEventListener("keydown", onKey);
  parent.addEventListener("focusin", onFocus);

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
    arranged() {
      const cards = shown();
      for (const el of cards) if (el !== current) el.tabIndex = -1;
      if (!current || current.hidden || !current.isConnected) select(cards[0], false);
    },
    first(copy) {
      const el = shown()[0];
      select(el, true);
      if (el && copy) press(el, "copy");
    },
    destroy() {
      parent.removeEventListener("keydown", onKey);
      parent.removeEventListener("focusin", onFocus);
      document.removeEventListener("keydown", onHelp);
      help.remove();
    },
  };
}
