// The list's find bar: the filter field (`/` or Ctrl+F focuses it, Escape clears it), the sort
// choice (remembered) and how many accounts show. The filter outlives the list view (the
// details and back keep it), and arranging keeps the focus where it was: rows move as few as
// possible (reorder.ts), a moved row gets its focus back, and a hidden one hands it on. Loaded after the first paint, so the list's
// first script stays small (the first paint is in the overview's order); the list applies what
// it says (views/list.ts).
import type { AccountRow } from "../bindings/AccountRow";
import { h, remember, storage } from "../dom";
import { matches } from "../filter";
import { provider } from "../providers";
import { reorder } from "../reorder";
import { SORTS, type SortBy, savedSort, saveSort, sortRows } from "../sort";
import { store } from "../state";

import { type ListKeys, listKeys } from "./keys";

// Loaded together with the find bar (one chunk after the first paint).
export { onScreen } from "./onscreen";

export interface FindBar {
  readonly element: HTMLElement;
  /** Puts the rows' elements (found by id) in `parent` in the chosen order, hides those the
   * filter does not match, and says how many show. */
  arrange(
    rows: readonly AccountRow[],
    elementOf: (id: string) => HTMLElement | undefined,
    parent: HTMLElement,
  ): void;
  destroy(): void;
}

/** `changed` is called on every keystroke and sort choice. */
export function findBar(changed: () => void): FindBar {
  const stored = storage();
  /** The filter as last typed (the store keeps it): a list view made again (back from the
   * details) starts with it. */
  let query = store.state.filter;
  let sortBy: SortBy = savedSort(stored);
  const filter = h("input", {
    attrs: {
      type: "search",
      placeholder: "Filter by name, API, host, status or #tag  ( / )",
      "aria-label": "Filter accounts",
      "aria-keyshortcuts": "/ Control+F",
      "data-field": "filter",
      autocomplete: "off",
      spellcheck: "false",
    },
  }) as HTMLInputElement;
  filter.value = query;
  const count = h("span", {
    class: "count",
    attrs: { role: "status", "aria-live": "polite", "data-field": "count" },
  });
  const sort = h(
    "select",
    { attrs: { "aria-label": "Sort accounts", "data-field": "sort" } },
    ...SORTS.map((s) => h("option", { text: s.label, attrs: { value: s.id } })),
  ) as HTMLSelectElement;
  sort.value = sortBy;
  // Rows (compact) or cards: remembered once chosen; until then rows past a screenful.
  const LAYOUT_KEY = "tokenkeeper.layout";
  let layout = stored?.getItem(LAYOUT_KEY) ?? null;
  const rowsButton = h("button", {
    class: "layout",
    text: "Rows",
    attrs: {
      type: "button",
      "aria-pressed": "false",
      "aria-label": "Show accounts as compact rows",
      "data-field": "layout",
    },
  });
  // Groups: none, by API or by (first) tag; remembered.
  const GROUP_KEY = "tokenkeeper.group";
  const group = h(
    "select",
    { attrs: { "aria-label": "Group accounts", "data-field": "group" } },
    h("option", { text: "No groups", attrs: { value: "none" } }),
    h("option", { text: "By API", attrs: { value: "api" } }),
    h("option", { text: "By tag", attrs: { value: "tag" } }),
  ) as HTMLSelectElement;
  group.value = stored?.getItem(GROUP_KEY) ?? "none";
  if (!group.value) group.value = "none";
  group.addEventListener("change", () => {
    remember(GROUP_KEY, group.value);
    changed();
  });
  const headers = new Map<string, HTMLElement>();
  const groupOf = (row: AccountRow): [string, string] => {
    if (group.value === "api") return [row.provider, provider(row.provider).label];
    const tag = row.tags[0];
    return tag ? [`tag:${tag}`, tag] : ["~none", "No tag"];
  };
  const noMatch = h("p", { class: "no-match", attrs: { "data-field": "no-match", hidden: true } });
  const element = h("div", { class: "find" }, filter, sort, group, rowsButton, count, noMatch);
  let grid: HTMLElement | null = null;
  let total = 0;
  const showLayout = () => {
    const rows = layout ? layout === "rows" : total > 6;
    rowsButton.setAttribute("aria-pressed", String(rows));
    grid?.classList.toggle("rows", rows);
  };
  rowsButton.addEventListener("click", () => {
    layout = rowsButton.getAttribute("aria-pressed") === "true" ? "cards" : "rows";
    remember(LAYOUT_KEY, layout);
    showLayout();
  });

  const setQuery = (text: string) => {
    query = text;
    store.filterTyped(text);
    changed();
  };
  filter.addEventListener("input", () => setQuery(filter.value));
  let keys: ListKeys | null = null;
  filter.addEventListener("keydown", (e) => {
    if ((e.key === "Enter" || e.key === "ArrowDown") && keys) {
      // Enter copies the first match (typing part of a name, then Enter, is enough);
      // ArrowDown goes to it.
      e.preventDefault();
      keys.first(e.key === "Enter");
    } else if (e.key === "Escape" && filter.value) {
      // Clears the filter; a second Escape goes on to whatever else Escape does.
      e.stopPropagation();
      e.preventDefault();
      filter.value = "";
      setQuery("");
    }
  });
  sort.addEventListener("change", () => {
    sortBy = sort.value as SortBy;
    saveSort(stored, sortBy);
    changed();
  });
  const shortcut = (e: KeyboardEvent) => {
    if (!element.isConnected || element.hidden) return;
    const typing =
      e.target instanceof HTMLElement &&
      (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
    const find = (e.key === "f" && (e.ctrlKey || e.metaKey)) || (e.key === "/" && !typing);
    if (!find) return;
    e.preventDefault();
    filter.focus();
    filter.select();
  };
  document.addEventListener("keydown", shortcut);

  return {
    element,
    arrange(rows, elementOf, parent) {
      keys ??= listKeys(parent, () => {
        filter.focus();
        filter.select();
      });
      const focused = document.activeElement;
      const wanted: Element[] = [];
      const place = (el: Element) => wanted.push(el);
      let ordered = sortRows(rows, sortBy);
      const grouping = group.value !== "none";
      if (grouping) {
        // Groups in name order (no tag last), the chosen order within each.
        const key = (r: AccountRow) => groupOf(r)[1].toLowerCase();
        ordered = ordered
          .map((r, i) => ({ r, i, k: groupOf(r)[0] === "~none" ? "\uffff" : key(r) }))
          .sort((a, b) => a.k.localeCompare(b.k) || a.i - b.i)
          .map((x) => x.r);
      }
      const used = new Set<string>();
      let header: HTMLElement | null = null;
      let inGroup = 0;
      const closeGroup = () => {
        if (header) header.hidden = inGroup === 0;
      };
      let shown = 0;
      const shownEls: HTMLElement[] = [];
      for (const row of ordered) {
        const el = elementOf(row.id);
        if (!el) continue;
        if (grouping) {
          const [id, label] = groupOf(row);
          if (!used.has(id)) {
            closeGroup();
            used.add(id);
            header = headers.get(id) ?? h("h2", { class: "group", attrs: { "data-group": id } });
            header.textContent = label;
            headers.set(id, header);
            inGroup = 0;
            place(header);
          }
        }
        place(el);
        showTags(el, row.tags);
        el.hidden = !matches(row, query);
        if (!el.hidden) {
          shown++;
          inGroup++;
          shownEls.push(el);
        }
      }
      closeGroup();
      reorder(parent, wanted);
      // A feed of articles: a screen reader says "3 of 100" on each (attributes touched only
      // when they change).
      if (parent.getAttribute("role") !== "feed") parent.setAttribute("role", "feed");
      shownEls.forEach((el, i) => {
        const at = String(i + 1);
        const of = String(shown);
        if (el.getAttribute("aria-posinset") !== at) el.setAttribute("aria-posinset", at);
        if (el.getAttribute("aria-setsize") !== of) el.setAttribute("aria-setsize", of);
      });
      for (const [id, el] of headers) {
        if (!used.has(id)) {
          el.remove();
          headers.delete(id);
        }
      }
      total = rows.length;
      grid = parent;
      showLayout();
      const noun = total === 1 ? "account" : "accounts";
      const said = query.trim() ? `${shown} of ${total} ${noun}` : `${total} ${noun}`;
      // Said again only when it changes: the count is a live region.
      if (count.textContent !== said) count.textContent = said;
      noMatch.hidden = shown > 0 || total === 0;
      if (!noMatch.hidden) noMatch.textContent = `No account matches “${query.trim()}”.`;
      element.hidden = total === 0;
      keys.arranged(focused);
    },
    destroy() {
      document.removeEventListener("keydown", shortcut);
      keys?.destroy();
    },
  };
}

/** The account's tags as chips beside its API (rebuilt only when they change). */
function showTags(card: HTMLElement, tags: readonly string[]): void {
  let chips = card.querySelector<HTMLElement>(".tags");
  const text = tags.join(" ");
  if ((chips?.dataset.tags ?? "") === text) return;
  if (!chips) {
    chips = h("span", { class: "tags", attrs: { "data-field": "tags" } });
    card.querySelector("header .provider")?.after(chips);
  }
  chips.dataset.tags = text;
  chips.replaceChildren(...tags.map((t) => h("span", { class: "tag", text: t })));
}
