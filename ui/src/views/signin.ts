// A sign-in waiting for the person (an OAuth 2.0 account being added or logged in), as the
// overview's `sign_in` says: the page opened in the browser (Open again), or the code to type
// on the verification page (Copy, Open the page) with its countdown, and Cancel. The add form
// and Log in show it while their call waits; it comes back by itself when the browser returns.
import type { AppError } from "../bindings/AppError";
import type { SignInView } from "../bindings/SignInView";
import { type ActionName, type Actions, append, clear, h } from "../dom";
import { backend } from "../ipc";

export interface SignInPanel {
  readonly element: HTMLElement;
  /** The overview's sign-in: shown when it is `account`'s, hidden otherwise. */
  update(signIn: SignInView | null): void;
  /** Its buttons' actions, for the view's click listener. */
  readonly actions: Actions;
  destroy(): void;
}

const minutes = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

export function signInPanel(account: () => string): SignInPanel {
  const element = h("div", {
    class: "sign-in",
    attrs: { hidden: true, "data-field": "sign-in", "aria-live": "polite" },
  });
  const said = h("p", { class: "outcome", attrs: { "data-field": "sign-in-said" } });
  let shown = "";
  let timer: ReturnType<typeof setInterval> | undefined;

  const button = (text: string, name: ActionName) =>
    h("button", { text, attrs: { type: "button", "data-action": name } });
  const run = (action: () => Promise<unknown>, done?: string) => () => {
    said.textContent = "";
    action()
      .then(() => {
        if (done) said.textContent = done;
      })
      .catch((e: AppError) => {
        said.textContent = e.message;
      });
  };
  /** The panel's buttons, for the view's one click listener (`onAction`). */
  const actions: Actions = {
    "cancel-sign-in": run(() => backend.cancelSignIn()),
    "open-sign-in": run(() => backend.openSignIn(), "Opened in the browser."),
    "copy-code": run(() => backend.copySignInCode(), "Code copied."),
  };

  function update(signIn: SignInView | null): void {
    const mine = signIn !== null && signIn.account === account();
    element.hidden = !mine;
    if (!mine || !signIn) {
      // Nothing of an ended sign-in stays behind (its code, its page).
      if (shown) clear(element);
      shown = "";
      if (timer) clearInterval(timer);
      timer = undefined;
      return;
    }
    const key = JSON.stringify(signIn);
    if (key === shown) return;
    shown = key;
    if (timer) clearInterval(timer);
    timer = undefined;
    clear(element);
    const step = signIn.step;
    const cancel = button("Cancel sign-in", "cancel-sign-in");
    const problem = signIn.browser_error
      ? h("p", {
          class: "message warn",
          text: `No browser opened (${signIn.browser_error}): open the page yourself.`,
        })
      : null;
    if (step === null) {
      element.append(
        h("p", { text: "Asking the server…" }),
        h("div", { class: "actions" }, cancel),
      );
    } else if (step.kind === "browser") {
      append(
        element,
        h("h3", { text: "Sign in in your browser" }),
        h("p", {
          text: "The server's sign-in page is open in your browser. Sign in there; TokenKeeper takes over when the browser comes back (up to 5 minutes).",
        }),
        problem,
        h("p", {
          class: "page-address",
          text: step.url,
          attrs: { "data-field": "sign-in-page" },
        }),
        h("div", { class: "actions" }, button("Open the page again", "open-sign-in"), cancel),
        said,
      );
    } else {
      const code = step.code;
      const left = h("span", { attrs: { "data-field": "code-expires" } });
      const tick = () => {
        left.textContent = minutes(new Date(step.expires_at).getTime() - Date.now());
      };
      tick();
      timer = setInterval(tick, 1000);
      append(
        element,
        h("h3", { text: "Sign in with a code" }),
        h("p", { text: "On any device, open the page below and enter this code:" }),
        h("p", {
          class: "user-code",
          text: code.user_code,
          attrs: { "data-field": "user-code" },
        }),
        h("p", {
          class: "page-address",
          text: code.verification_uri,
          attrs: { "data-field": "sign-in-page" },
        }),
        h("p", { class: "hint" }, "The code expires in ", left, "."),
        problem,
        h(
          "div",
          { class: "actions" },
          button("Copy code", "copy-code"),
          button("Open the page", "open-sign-in"),
          cancel,
        ),
        said,
      );
    }
  }

  return {
    element,
    update,
    actions,
    destroy() {
      if (timer) clearInterval(timer);
    },
  };
}
