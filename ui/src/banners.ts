// The banners above the list: demo mode, the background process (starting, restarted, lost,
// failed, no tray), a keychain that does not answer (with Retry, which the root's click listener
// takes as data-action "retry-keychain") and the files' problem. main.ts rebuilds them only
// when what they say changes (the store keeps that), so focus on Retry survives updates. The
// one lasting state that is no fault, a desktop without a tray, can be dismissed for good
// (data-action "dismiss-no-tray"; remembered in localStorage).
import type { Overview } from "./bindings/Overview";
import { h, remember, storage } from "./dom";

function banner(kind: string, text: string, ...extra: HTMLElement[]): HTMLElement {
  return h(
    "div",
    {
      class: `banner banner-${kind}`,
      attrs: { role: kind === "bad" ? "alert" : "note", "data-banner": kind },
    },
    h("p", { text }),
    ...extra,
  );
}

const NO_TRAY = "tokenkeeper.noTrayDismissed";

/** The user dismissed the no-tray banner: it does not come back. */
export function dismissNoTray(): void {
  remember(NO_TRAY, "1");
}

/** What the window says about the background process (nothing when all is well). */
function backgroundBanners(b: Overview["background"]): HTMLElement[] {
  switch (b.state) {
    case "here":
      return [];
    case "starting":
      return [
        banner(
          "info",
          "Starting the TokenKeeper background, which keeps your tokens fresh while this window is closed…",
        ),
      ];
    case "running": {
      const out: HTMLElement[] = [];
      if (b.restarts > 0)
        out.push(
          banner(
            "warn",
            `The TokenKeeper background stopped unexpectedly ${b.restarts === 1 ? "once" : `${b.restarts} times`} while this window was open, and was started again.`,
          ),
        );
      if (b.tray === "unavailable" && !storage()?.getItem(NO_TRAY))
        out.push(
          banner(
            "info",
            "No tray on this desktop (it has no StatusNotifierItem host): TokenKeeper keeps refreshing in the background; open this window to copy a token.",
            h("button", {
              text: "Got it",
              attrs: {
                type: "button",
                "data-action": "dismiss-no-tray",
                "aria-label": "Got it: do not show this again",
              },
            }),
          ),
        );
      return out;
    }
    case "lost":
      return [
        banner("warn", "The TokenKeeper background stopped unexpectedly; starting it again…"),
      ];
    case "failed":
      return [banner("bad", `The TokenKeeper background cannot start: ${b.message}`)];
  }
}

/** Puts the banners for `o` into `banners`, in place of what was there. */
export function renderBanners(banners: HTMLElement, o: Overview): void {
  banners.replaceChildren();
  if (o.demo) {
    banners.append(
      banner(
        "demo",
        "Demo mode: five local API emulators with one account each, short token lifetimes and a fault now and then. Nothing here is real; it is all removed when you close this window.",
      ),
    );
  }
  banners.append(...backgroundBanners(o.background));
  if (o.keychain) {
    const retry = h("button", {
      text: "Retry",
      attrs: { type: "button", "data-action": "retry-keychain" },
    });
    banners.append(banner("bad", o.keychain.message, retry));
  }
  if (o.problem) {
    banners.append(banner("bad", o.problem.message));
  }
}
