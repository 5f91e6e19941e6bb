// What the list takes up again when it is made again (back from the details): the filter as
// last typed and the account selected last. The store keeps both (state.ts), not the views, so
// they outlive the find bar and the keys that set them (happy-dom).
import { beforeEach, describe, expect, it } from "vitest";
import { h } from "../../src/dom";
import { store } from "../../src/state";
import { findBar } from "../../src/views/findbar";
import { listKeys } from "../../src/views/keys";

beforeEach(() => {
  store.filterTyped("");
  store.accountSelected(null);
  document.body.replaceChildren();
});

const filterOf = (bar: { element: HTMLElement }) =>
  bar.element.querySelector<HTMLInputElement>("[data-field=filter]") as HTMLInputElement;

function type(input: HTMLInputElement, text: string): void {
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("the find bar", () => {
  it("opens again with the filter as last typed, and empty once Escape cleared it", () => {
    let changes = 0;
    const first = findBar(() => changes++);
    document.body.append(first.element);
    expect(filterOf(first).value).toBe("");
    type(filterOf(first), "client-3");
    expect(changes).toBe(1);
    expect(store.state.filter).toBe("client-3");
    first.destroy();
    first.element.remove();

    // The list made again (back from the details): its new find bar says what was typed.
    const again = findBar(() => changes++);
    document.body.append(again.element);
    expect(filterOf(again).value).toBe("client-3");
    // Escape in the field clears it, for the next find bar too.
    filterOf(again).dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(filterOf(again).value).toBe("");
    expect(store.state.filter).toBe("");
    again.destroy();
    const third = findBar(() => undefined);
    expect(filterOf(third).value).toBe("");
    third.destroy();
  });
});

describe("the list's keys", () => {
  /** A list of cards for `names`, as the list view has it (a grid inside the page). */
  function list(names: string[]): HTMLElement {
    const grid = h(
      "div",
      { class: "cards" },
      ...names.map((name) =>
        h(
          "article",
          { class: "account", attrs: { "data-account": name } },
          h("button", { text: "Copy", attrs: { type: "button", "data-action": "copy" } }),
        ),
      ),
    );
    document.body.replaceChildren(h("section", {}, grid));
    return grid;
  }
  const cardOf = (grid: HTMLElement, name: string) =>
    grid.querySelector<HTMLElement>(`[data-account="${name}"]`) as HTMLElement;

  it("selects again the account selected last, with the focus, in a list made again", () => {
    const names = ["blog", "client-301", "client-302", "client-303"];
    const grid = list(names);
    const keys = listKeys(grid, () => undefined);
    keys.arranged(document.activeElement);
    // Nothing selected before: the first card is the one in the tab order.
    expect(store.state.selectedAccount).toBe("blog");
    cardOf(grid, "client-301").focus();
    expect(store.state.selectedAccount).toBe("client-301");
    cardOf(grid, "client-301").dispatchEvent(
      new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }),
    );
    expect(document.activeElement).toBe(cardOf(grid, "client-302"));
    expect(store.state.selectedAccount).toBe("client-302");
    keys.destroy();

    // The details, then back: a new list of new cards, the focus nowhere.
    const again = list(names);
    expect(document.activeElement).toBe(document.body);
    const keysAgain = listKeys(again, () => undefined);
    keysAgain.arranged(document.activeElement);
    expect(document.activeElement).toBe(cardOf(again, "client-302"));
    expect(cardOf(again, "client-302").tabIndex).toBe(0);
    expect(cardOf(again, "blog").tabIndex).toBe(-1);
    keysAgain.destroy();
  });

  it("selects the first card when the one selected last is gone", () => {
    store.accountSelected("removed-meanwhile");
    const grid = list(["blog", "client-001"]);
    const keys = listKeys(grid, () => undefined);
    keys.arranged(document.activeElement);
    expect(cardOf(grid, "blog").tabIndex).toBe(0);
    expect(store.state.selectedAccount).toBe("blog");
    keys.destroy();
  });
});
