// A tiny DOM builder: no framework and no HTML strings (so nothing from the backend is ever parsed
// as markup, and the strict CSP holds); and the one way views take clicks: a listener per view
// that dispatches on the button's data-action, one of the names in ActionName.
import { store } from "./state";

type Child = Node | string | null | undefined | false;

/**
 * Every name a button's `data-action` carries, and so every name a click listener takes: the
 * buttons (`h()`'s attrs) and the listeners (`onAction()`) are checked against this one list, so
 * a misspelt name on either side does not type-check. The browser tests, the desktop end-to-end
 * tests and styles.css select by these names too: rename one only with them.
 */
export type ActionName =
  // The app-wide ones: the root's listener in main.ts takes them wherever their button is, so
  // views do not take these names.
  | "add"
  | "settings"
  | "retry-keychain"
  | "dismiss-no-tray"
  // A card's buttons (views/card.ts; the list's listener takes them).
  | "copy"
  | "copy-header"
  | "reveal"
  | "refresh"
  | "login"
  | "details"
  // The detail view's (also "login").
  | "back"
  | "edit"
  | "pin"
  | "remove"
  | "confirm-remove"
  | "cancel-remove"
  // The forms' (the submit buttons' names only mark them: submission is the form's event).
  | "save"
  | "save-settings"
  | "submit-login"
  | "cancel"
  | "keep-editing"
  | "discard"
  | "trust-cert"
  | "use-ca-file"
  // An OAuth 2.0 account's form (discovery) and its sign-in while it waits (views/signin.ts).
  | "discover"
  | "cancel-sign-in"
  | "open-sign-in"
  | "copy-code";

/** An element's attributes: `true` sets an empty one; false, null and undefined set none. */
export interface Attrs {
  [name: string]: string | boolean | null | undefined;
  /** What a click on it does: the name of an action (see onAction). */
  "data-action"?: ActionName;
}

export interface Props {
  class?: string;
  text?: string;
  attrs?: Attrs;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text != null) el.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === true) el.setAttribute(name, "");
    else if (value !== false && value != null) el.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

/** A unique id for label/aria wiring. */
export function uid(prefix: string): string {
  return `${prefix}-${store.nextId()}`;
}

/** What a click on a `data-action` button does, given that button, by the action's name. */
export type Actions = { readonly [N in ActionName]?: (button: HTMLElement) => void };

/** The selector of the elements whose `data-action` is `name`. */
export const withAction = (name: ActionName): string => `[data-action="${name}"]`;

/** Whether `actions` takes the name a clicked element carries (its own keys only: not
 * `toString` and the like from Object's prototype). */
const takes = (actions: Actions, name: string): name is ActionName => Object.hasOwn(actions, name);

/**
 * One click listener on `root` for all its buttons: a click (or Enter or Space, which click a
 * button) on an element with `data-action="NAME"` calls `actions[NAME]` with that element
 * (which carries `data-id` and the like). Actions not listed are left to listeners further up.
 * Returns the function that removes the listener.
 */
export function onAction(root: HTMLElement, actions: Actions): () => void {
  const listener = (e: Event) => {
    const button = (e.target as Element | null)?.closest<HTMLElement>("[data-action]");
    if (!button || !root.contains(button)) return;
    const name = button.dataset.action ?? "";
    if (takes(actions, name)) actions[name]?.(button);
  };
  root.addEventListener("click", listener);
  return () => root.removeEventListener("click", listener);
}

/** Appends the children that are there (skips null, undefined and false). */
export function append(el: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
}

/** The page's localStorage, or none where it is refused (a private mode, a policy): what the
 * window remembers is then for this session only. */
export function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** Remembers a choice; a full or refused storage forgets it quietly (this session only). */
export function remember(key: string, value: string): void {
  try {
    storage()?.setItem(key, value);
  } catch {
    // Not remembered.
  }
}
