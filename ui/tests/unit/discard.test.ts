// The question the forms ask before throwing typed input away (happy-dom). The click delegation
// it answers through is in actions.test.ts.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { discardGuard } from "../../src/discard";
import { h, onAction } from "../../src/dom";

describe("discard guard", () => {
  let field: HTMLInputElement;
  let buttons: HTMLElement;
  beforeEach(() => {
    field = h("input", { attrs: { name: "name" } });
    buttons = h(
      "div",
      {},
      h("button", { text: "Cancel", attrs: { type: "button", "data-action": "cancel" } }),
    );
  });

  function setUp(changed: boolean) {
    const leave = vi.fn();
    const guard = discardGuard({ buttons, changed: () => changed, leave });
    document.body.replaceChildren(h("form", {}, field, buttons, guard.element));
    field.focus();
    return { guard, leave };
  }

  it("leaves at once when nothing changed", () => {
    const { guard, leave } = setUp(false);
    guard.escape();
    expect(leave).toHaveBeenCalledOnce();
    expect(guard.element.hidden).toBe(true);
  });

  it("asks when something changed, with focus on Keep editing; Escape again goes back", () => {
    const { guard, leave } = setUp(true);
    field.value = "typed";
    guard.escape();
    expect(leave).not.toHaveBeenCalled();
    expect(guard.element.hidden).toBe(false);
    expect(buttons.hidden).toBe(true);
    expect(guard.element.getAttribute("role")).toBe("group");
    const label = document.getElementById(guard.element.getAttribute("aria-labelledby") ?? "");
    expect(label?.textContent).toBe("Discard changes?");
    expect(document.activeElement?.textContent).toBe("Keep editing");
    guard.escape();
    expect(guard.element.hidden).toBe(true);
    expect(buttons.hidden).toBe(false);
    expect(document.activeElement).toBe(field);
    expect(field.value).toBe("typed");
    expect(leave).not.toHaveBeenCalled();
  });

  it("takes Cancel, Keep editing and Discard from the form's click listener", () => {
    const { guard, leave } = setUp(true);
    const form = guard.element.parentElement as HTMLElement;
    onAction(form, guard.actions);
    buttons.querySelector("button")?.click();
    expect(guard.element.hidden).toBe(false);
    guard.element.querySelector<HTMLElement>("[data-action=keep-editing]")?.click();
    expect(guard.element.hidden).toBe(true);
    guard.escape();
    guard.element.querySelector<HTMLElement>("[data-action=discard]")?.click();
    expect(leave).toHaveBeenCalledOnce();
  });
});
