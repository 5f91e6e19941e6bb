// The click delegation the views use (happy-dom): a click on an element with `data-action`
// calls the listener's action of that name, and the names are one typed list (dom.ts,
// ActionName), so a misspelt name on a button or in a listener does not type-check (tsc runs
// over this file: each `@ts-expect-error` below fails the build if its line stops being an error).
import { describe, expect, it, vi } from "vitest";
import { type ActionName, type Actions, h, onAction, withAction } from "../../src/dom";

describe("click delegation", () => {
  it("calls the action named by the clicked element's data-action, with that element", () => {
    const copy = vi.fn();
    const inner = h("span", { text: "Copy" });
    const button = h("button", { attrs: { "data-action": "copy", "data-id": "a1" } }, inner);
    // The page may say anything (only what the code writes is typed): a name on Object's
    // prototype, here.
    const other = h("button");
    other.setAttribute("data-action", "toString");
    const root = h("section", {}, button, other);
    document.body.replaceChildren(root);
    const stop = onAction(root, { copy });
    inner.click();
    expect(copy).toHaveBeenCalledWith(button);
    // Not listed (not even on Object's prototype): left alone.
    expect(() => other.click()).not.toThrow();
    stop();
    button.click();
    expect(copy).toHaveBeenCalledOnce();
  });

  it("leaves the names a view does not take to the listener further up (the root's)", () => {
    const add = vi.fn();
    const details = vi.fn();
    const addButton = h("button", { attrs: { "data-action": "add" } });
    const detailsButton = h("button", { attrs: { "data-action": "details", "data-id": "a2" } });
    const view = h("section", {}, addButton, detailsButton);
    const root = h("div", {}, view);
    document.body.replaceChildren(root);
    const stopRoot = onAction(root, { add });
    const stopView = onAction(view, { details });
    addButton.click();
    detailsButton.click();
    expect(add).toHaveBeenCalledExactlyOnceWith(addButton);
    expect(details).toHaveBeenCalledExactlyOnceWith(detailsButton);
    // A click outside the root is not the root's, even on a name it takes.
    const outside = h("button", { attrs: { "data-action": "add" } });
    document.body.append(outside);
    outside.click();
    expect(add).toHaveBeenCalledOnce();
    stopRoot();
    stopView();
  });

  it("finds an action's buttons by the same name", () => {
    const refresh = h("button", { attrs: { "data-action": "refresh" } });
    const card = h("article", {}, h("button", { attrs: { "data-action": "copy" } }), refresh);
    expect(card.querySelector(withAction("refresh"))).toBe(refresh);
    expect(withAction("copy-header")).toBe('[data-action="copy-header"]');
  });

  it("refuses a misspelt name, on a button or in a listener, at type-check time", () => {
    const root = h("section");
    document.body.replaceChildren(root);
    // @ts-expect-error: "cpoy" is not an action's name.
    h("button", { attrs: { type: "button", "data-action": "cpoy" } });
    // @ts-expect-error: nor can a listener take it.
    onAction(root, { cpoy: () => undefined })();
    // Nor beside names taken from elsewhere (as the forms take the discard guard's).
    const guard: Actions = { discard: vi.fn() };
    const trusted = vi.fn();
    // @ts-expect-error: "trust-certificate" is not an action's name ("trust-cert" is).
    const stop = onAction(root, { ...guard, "trust-certificate": trusted });
    // What such a slip costs where it is not caught: the button's click reaches no action.
    const trust = h("button", { attrs: { type: "button", "data-action": "trust-cert" } });
    root.append(trust);
    trust.click();
    expect(trusted).not.toHaveBeenCalled();
    stop();
    // @ts-expect-error: nor is it a name to look buttons up by.
    expect(withAction("keep_editing")).toBe('[data-action="keep_editing"]');
    const names: ActionName[] = ["copy", "keep-editing"];
    expect(names.map(withAction)).toEqual(['[data-action="copy"]', '[data-action="keep-editing"]']);
  });
});
