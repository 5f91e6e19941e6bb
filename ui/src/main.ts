// The window: a header (Add account, Settings), banners (demo, background, keychain, files), and
// one view at a time (views/*.ts, each a View: see view.ts): the accounts list, an account's
// detail, the add/edit form, Log in or Settings. Showing a view destroys the one it replaces.
// The backend pushes a new overview on every change; the state lives in state.ts. One click
// listener on the root takes the app-wide actions (add, settings, retry-keychain,
// dismiss-no-tray).
import "./styles.css";
import { dismissNoTray, renderBanners } from "./banners";
import type { AccountInfo } from "./bindings/AccountInfo";
import type { AccountRow } from "./bindings/AccountRow";
import type { AppError } from "./bindings/AppError";
import type { Overview } from "./bindings/Overview";
import { h, onAction } from "./dom";
import { backend, onOverview } from "./ipc";
import { type Screen, store } from "./state";
import type { View } from "./view";
import { listView } from "./views/list";

// Only the list is in the first script (the window is opened many times a day, so its cold
// start counts); the other screens load on first use, and are fetched once the list is up.
const views = {
  detail: () => import("./views/detail"),
  form: () => import("./views/form"),
  login: () => import("./views/login"),
  settings: () => import("./views/settings"),
};

function preloadViews(): void {
  const load = () => Object.values(views).forEach((v) => void v().catch(() => undefined));
  // WebKitGTK has no requestIdleCallback: a moment after the first paint will do.
  globalThis.setTimeout(load, 300);
}

const banners = h("div", { class: "banners", attrs: { "data-field": "banners" } });
const stage = h("main", { class: "stage", attrs: { id: "main" } });
const notice = h("p", {
  class: "notice",
  attrs: { role: "status", "aria-live": "polite", "data-field": "notice" },
});

/** `about`: the account a good word is about (it goes when that account turns out to fail). */
function say(text: string, about: string | null = null): void {
  notice.textContent = text;
  store.noticeSaid(about);
}

/** Puts `view` on the stage as `next`, destroying the view it replaces; focus goes to a new
 * screen's first heading or control (not to the list, nor to a view swapped in place). */
function show(view: View, next: Screen, focus = next.kind !== "list"): void {
  store.showing(view, next)?.destroy();
  stage.replaceChildren(view.element);
  const focusable = view.element.querySelector<HTMLElement>("h2, input, select, button");
  if (focusable && focus) {
    if (focusable.tagName === "H2") focusable.setAttribute("tabindex", "-1");
    focusable.focus();
  }
}

function showList(): void {
  const list = listView({
    details: (id) => void openDetail(id),
    login: (row) => void openLogin(row),
  });
  show(list, { kind: "list" });
  const { overview, startError } = store.state;
  if (startError !== null) list.cannotStart(startError);
  else if (overview) list.update(overview);
}

function saved(text: string, about: string | null): void {
  say(text, about);
  void reload().then(showList);
}

async function openAdd(): Promise<void> {
  const { formView } = await views.form();
  const form = formView(store.names(), {
    saved: (name) => saved(`${name} added: its token is kept fresh from now on.`, name),
    cancel: showList,
  });
  show(form, { kind: "panel" });
}

async function openEdit(info: AccountInfo): Promise<void> {
  const { formView } = await views.form();
  const form = formView(
    store.names(),
    {
      saved: (name, deleted) =>
        saved(
          deleted
            ? `${name} saved. Its server or trust settings changed, so its stored secrets were deleted (they are never sent to another server): log in to use it again.`
            : `${name} saved.`,
          deleted ? null : name,
        ),
      cancel: showList,
    },
    info,
  );
  show(form, { kind: "panel" });
}

async function openLogin(
  row: Pick<AccountRow, "id" | "name" | "provider" | "last_error">,
): Promise<void> {
  const { loginView } = await views.login();
  // An OAuth 2.0 account's grant and client decide what Log in asks for.
  let oauth = null;
  if (row.provider === "oauth2") {
    try {
      oauth = (await backend.account(row.id)).oauth;
    } catch (e) {
      say((e as AppError).message);
      return;
    }
  }
  show(
    loginView(
      row,
      {
        saved: () => saved(`${row.name}: logged in.`, row.name),
        cancel: showList,
      },
      oauth,
    ),
    { kind: "panel" },
  );
}

async function detailView(info: AccountInfo): Promise<View> {
  const { detailView } = await views.detail();
  store.detailShowing(info.id);
  return detailView(info, {
    back: showList,
    edit: (i) => void openEdit(i),
    login: (i) => void openLogin(i),
    removed: (name) => saved(`${name} removed, with its keychain entries.`, null),
  });
}

async function openDetail(id: string): Promise<void> {
  try {
    const info = await backend.account(id);
    show(await detailView(info), { kind: "detail", id });
  } catch (e) {
    say((e as AppError).message);
    showList();
  }
}

const showsDetail = (id: string) => {
  const screen = store.state.screen;
  return screen.kind === "detail" && screen.id === id;
};

/** The open detail view, fetched again and swapped in place (the scroll position stays). */
async function refreshDetail(id: string): Promise<void> {
  try {
    const info = await backend.account(id);
    if (!showsDetail(id)) return;
    const fresh = await detailView(info);
    if (!showsDetail(id)) {
      fresh.destroy();
      return;
    }
    const y = window.scrollY;
    show(fresh, { kind: "detail", id }, false);
    window.scrollTo(0, y);
  } catch {
    // The list says what is wrong; the view stays as it was.
  }
}

async function openSettings(): Promise<void> {
  try {
    const current = await backend.settings();
    const { settingsView } = await views.settings();
    show(
      settingsView(current, {
        saved: () => {
          say("Settings saved.");
          showList();
        },
        cancel: showList,
      }),
      { kind: "panel" },
    );
  } catch (e) {
    say((e as AppError).message);
  }
}

function apply(o: Overview): void {
  store.overviewArrived(o);
  if (store.noticeStale(o)) say("");
  if (store.bannersChange(o)) renderBanners(banners, o);
  const { screen, view } = store.state;
  view?.update?.(o);
  if (screen.kind === "detail") {
    if (!store.row(screen.id)) {
      say("That account was removed.");
      showList();
    } else if (store.detailStale(o)) {
      void refreshDetail(screen.id);
    }
  }
}

async function reload(): Promise<void> {
  try {
    apply(await backend.overview());
  } catch (e) {
    say((e as AppError).message);
  }
}

export async function start(root: HTMLElement): Promise<void> {
  const header = h(
    "header",
    { class: "top" },
    h("h1", { text: "TokenKeeper" }),
    h(
      "nav",
      { attrs: { "aria-label": "Main" } },
      h("button", {
        class: "primary",
        text: "Add account",
        attrs: { type: "button", "data-action": "add" },
      }),
      h("button", { text: "Settings", attrs: { type: "button", "data-action": "settings" } }),
    ),
  );
  root.append(
    h("a", { class: "skip", text: "Skip to the accounts", attrs: { href: "#main" } }),
    header,
    banners,
    notice,
    stage,
  );
  // The app-wide actions, wherever their button is (the empty list has an Add button too).
  onAction(root, {
    add: () => void openAdd(),
    settings: () => void openSettings(),
    "dismiss-no-tray": () => {
      dismissNoTray();
      const o = store.state.overview;
      if (o) renderBanners(banners, o);
      say("The tray note will not show again.");
    },
    "retry-keychain": () =>
      void backend.checkKeychain().then((problem) => {
        say(problem ? problem.message : "The keychain answers again.");
        return reload();
      }),
  });
  showList();
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || store.state.screen.kind === "list") return;
    const view = store.state.view;
    if (view?.escape) view.escape();
    else showList();
  });
  // The window's process put what the files say into the page before it loaded, so the list
  // paints without waiting for the backend or an IPC round trip.
  const first = embeddedOverview();
  if (first) {
    apply(first);
    reportPaint();
  }
  await onOverview(apply);
  // The backend's overview waits for it to start (the window opens first).
  try {
    apply(await backend.overview());
  } catch (e) {
    // What the embedded overview said no longer holds.
    banners.replaceChildren();
    store.cannotStart((e as AppError).message);
    if (store.state.screen.kind === "list") showList();
  }
  if (!first) reportPaint();
  root.dataset.ready = "true";
  preloadViews();
}

/** After the first frame with the accounts on screen (cold-start benchmarks read this). */
function reportPaint(): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => void backend.painted().catch(() => undefined)),
  );
}

/** The overview the window's process embedded in the page (once; `null` when none). */
function embeddedOverview(): Overview | null {
  const holder = window as unknown as { __TOKENKEEPER_FIRST_OVERVIEW__?: Overview };
  const first = holder.__TOKENKEEPER_FIRST_OVERVIEW__ ?? null;
  delete holder.__TOKENKEEPER_FIRST_OVERVIEW__;
  return first && Array.isArray(first.accounts) ? first : null;
}

const root = document.getElementById("app");
if (root) void start(root);
