// The question the forms ask in the page before Escape or Cancel throws away what was typed:
// "Discard changes? [Keep editing] [Discard]", in place of the form's buttons, with focus on
// Keep editing. Escape again, or Keep editing, goes back to the form as it was; a form
// without changes closes at once. It holds no value: it asks the form whether anything changed.
import { type Actions, h, uid, withAction } from "./dom";

export interface DiscardGuard {
  /** The question (hidden until asked); goes right after the form's buttons. */
  readonly element: HTMLElement;
  /** For the form's click listener: cancel, keep-editing and discard. */
  readonly actions: Actions;
  /** Escape or Cancel: leaves when nothing changed, else asks; when asked already, keeps editing. */
  escape(): void;
  /** Back to the form, as when something in it gets focus while the question shows. */
  keepEditing(): void;
}

export function discardGuard(options: {
  /** The form's buttons, hidden while the question shows. */
  buttons: HTMLElement;
  changed(): boolean;
  leave(): void;
}): DiscardGuard {
  const { buttons, changed, leave } = options;
  const questionId = uid("discard");
  const keep = h("button", {
    class: "primary",
    text: "Keep editing",
    attrs: { type: "button", "data-action": "keep-editing" },
  });
  const element = h(
    "div",
    {
      class: "discard",
      attrs: {
        role: "group",
        "aria-labelledby": questionId,
        "data-field": "discard",
        hidden: true,
      },
    },
    h("p", { text: "Discard changes?", attrs: { id: questionId } }),
    keep,
    h("button", {
      class: "danger",
      text: "Discard",
      attrs: { type: "button", "data-action": "discard" },
    }),
  );
  /** Where focus was when the question was asked: it goes back there. */
  let from: HTMLElement | null = null;

  const asking = () => !element.hidden;
  const ask = () => {
    const active = document.activeElement;
    from =
      active instanceof HTMLElement && active !== document.body && !buttons.contains(active)
        ? active
        : null;
    buttons.hidden = true;
    element.hidden = false;
    keep.focus();
  };
  const back = (refocus: boolean) => {
    if (!asking()) return;
    element.hidden = true;
    buttons.hidden = false;
    if (refocus) (from ?? buttons.querySelector<HTMLElement>(withAction("cancel")))?.focus();
    from = null;
  };
  const onEscape = () => {
    if (asking()) back(true);
    else if (changed()) ask();
    else leave();
  };

  return {
    element,
    actions: { cancel: onEscape, "keep-editing": () => back(true), discard: leave },
    escape: onEscape,
    keepEditing: () => back(false),
  };
}
