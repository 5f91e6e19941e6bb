// The window: a header (Add account, Settings), banners (demo, daemon, keychain, files), and
// one view at a time: the accounts list, an account's detail, the add/edit form, Log in or
// Settings. The backend pushes a new overview on every change; countdowns tick here, once a
// second, from `expires_at` (no polling), and stop while the window is hidden.
import "./styles.css";
import type { AccountInfo } from "./bindings/AccountInfo";
import type { AccountRow } from "./bindings/AccountRow";
import type { AppError } from "./bindings/AppError";
import type { Overview } from "./bindings/Overview";
import { clear, h } from "./dom";
import { backend, onOverview } from "./ipc";
import type { DetailView } from "./views/detail";
import { AccountList } from "./views/list";

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

type Screen = { kind: "list" } | { kind: "detail"; id: string } | { kind: "panel" };

let overview: Overview | null = null;
let screen: Screen = { kind: "list" };
let ticker: number | undefined;

const banners = h("div", { class: "banners", attrs: { "data-field": "banners" } });
const stage = h("main", { class: "stage", attrs: { id: "main" } });
const notice = h("p", {
  class: "notice",
  attrs: { role: "status", "aria-live": "polite", "data-field": "notice" },
});

const list = new AccountList(
  {
    details: (id) => void openDetail(id),
    login: (row) => void openLogin(row),
    edit: (id) => void openEdit(id),
  },
  () => void openAdd(),
);

function names(): string[] {
  return overview?.accounts.map((a) => a.name) ?? [];
}

/** The account a notice is about: it goes when that account turns out to be failing. */
let noticeAbout: string | null = null;

function say(text: string, about: string | null = null): void {
  notice.textContent = text;
  noticeAbout = about;
}

/** A good word about an account does not stay above its failing card. */
function dropStaleNotice(o: Overview): void {
  if (noticeAbout === null) return;
  const row = o.accounts.find((a) => a.name === noticeAbout);
  if (row && (row.status === "error" || row.status === "needs_login")) say("");
}

function show(el: HTMLElement, next: Screen): void {
  screen = next;
  clear(stage);
  stage.append(el);
  const focusable = el.querySelector<HTMLElement>("h2, input, select, button");
  if (focusable && next.kind !== "list") {
    if (focusable.tagName === "H2") focusable.setAttribute("tabindex", "-1");
    focusable.focus();
  }
}

function showList(): void {
  show(list.el, { kind: "list" });
  if (overview) list.update(overview.accounts, Date.now());
}

async function openAdd(): Promise<void> {
  const { AccountFormView } = await views.form();
  const form = new AccountFormView(names(), {
    saved: (name) => {
      say(`${name} added: its token is kept fresh from now on.`, name);
      void reload().then(showList);
    },
    cancel: showList,
  });
  show(form.el, { kind: "panel" });
}

async function openEdit(id: string): Promise<void> {
  try {
    const info = await backend.account(id);
    await editWith(info);
  } catch (e) {
    say((e as AppError).message);
  }
}

async function editWith(info: AccountInfo): Promise<void> {
  const { AccountFormView } = await views.form();
  const form = new AccountFormView(
    names(),
    {
      saved: (name, deleted) => {
        say(
          deleted
            ? `${name} saved. Its server or trust settings changed, so its stored secrets were deleted (they are never sent to another server): log in to use it again.`
            : `${name} saved.`,
          deleted ? null : name,
        );
        void reload().then(showList);
      },
      cancel: showList,
    },
    info,
  );
  show(form.el, { kind: "panel" });
}

async function openLogin(
  row: Pick<AccountRow, "id" | "name" | "provider" | "last_error">,
): Promise<void> {
  const { loginView } = await views.login();
  show(
    loginView(row, {
      saved: () => {
        say(`${row.name}: logged in.`, row.name);
        void reload().then(showList);
      },
      cancel: showList,
    }),
    { kind: "panel" },
  );
}

async function detailView(info: AccountInfo): Promise<DetailView> {
  const { DetailView } = await views.detail();
  detailShown = detailKey(overview?.accounts.find((a) => a.id === info.id));
  return new DetailView(info, {
    back: showList,
    edit: (i) => void editWith(i),
    login: (i) => void openLogin(i),
    removed: (name) => {
      say(`${name} removed, with its keychain entries.`);
      void reload().then(showList);
    },
  });
}

async function openDetail(id: string): Promise<void> {
  try {
    const info = await backend.account(id);
    show((await detailView(info)).el, { kind: "detail", id });
  } catch (e) {
    say((e as AppError).message);
    showList();
  }
}

/** The open detail view, fetched again and swapped in place (the scroll position stays). */
async function refreshDetail(id: string): Promise<void> {
  try {
    const info = await backend.account(id);
    if (screen.kind !== "detail" || screen.id !== id) return;
    const y = window.scrollY;
    const fresh = (await detailView(info)).el;
    const current = stage.firstElementChild;
    if (current) current.replaceWith(fresh);
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

/** What the window says about the background process (nothing when all is well). */
function backgroundBanner(b: Overview["background"]): HTMLElement | null {
  switch (b.state) {
    case "here":
      return null;
    case "starting":
      return banner(
        "info",
        "Starting the TokenKeeper background, which keeps your tokens fresh while this window is closed…",
      );
    case "running": {
      const said: string[] = [];
      if (b.restarts > 0)
        said.push(
          `The TokenKeeper background stopped unexpectedly ${b.restarts === 1 ? "once" : `${b.restarts} times`} while this window was open, and was started again.`,
        );
      if (b.tray === "unavailable")
        said.push(
          "No tray on this desktop (it has no StatusNotifierItem host): TokenKeeper keeps refreshing in the background; open this window to copy a token.",
        );
      if (said.length === 0) return null;
      return banner(b.restarts > 0 ? "warn" : "info", said.join(" "));
    }
    case "lost":
      return banner("warn", "The TokenKeeper background stopped unexpectedly; starting it again…");
    case "failed":
      return banner("bad", `The TokenKeeper background cannot start: ${b.message}`);
  }
}

let bannersShown = "";

function renderBanners(o: Overview): void {
  // Rebuilt only when what they say changes, so focus on Retry survives updates.
  const key = JSON.stringify([
    o.demo,
    o.background,
    o.keychain?.message ?? null,
    o.problem?.message ?? null,
  ]);
  if (key === bannersShown) return;
  bannersShown = key;
  clear(banners);
  if (o.demo) {
    banners.append(
      banner(
        "demo",
        "Demo mode: five local API emulators with one account each, short token lifetimes and a fault now and then. Nothing here is real; it is all removed when you close this window.",
      ),
    );
  }
  const background = backgroundBanner(o.background);
  if (background) banners.append(background);
  if (o.keychain) {
    const retry = h("button", {
      text: "Retry",
      attrs: { type: "button", "data-action": "retry-keychain" },
      on: {
        click: () =>
          void backend.checkKeychain().then((problem) => {
            say(problem ? problem.message : "The keychain answers again.");
            return reload();
          }),
      },
    });
    banners.append(banner("bad", o.keychain.message, retry));
  }
  if (o.problem) {
    banners.append(banner("bad", o.problem.message));
  }
}

/** What the detail view shows of a row; when it changes, the view is fetched again. */
function detailKey(row: AccountRow | undefined): string {
  return row
    ? JSON.stringify([
        row.status,
        row.refreshing,
        row.token_fingerprint,
        row.last_refresh,
        row.last_error?.at ?? null,
      ])
    : "";
}

let detailShown = "";

function apply(o: Overview): void {
  overview = o;
  dropStaleNotice(o);
  renderBanners(o);
  list.update(o.accounts, Date.now());
  if (screen.kind === "detail") {
    const id = screen.id;
    const row = o.accounts.find((a) => a.id === id);
    if (!row) {
      say("That account was removed.");
      showList();
    } else if (detailKey(row) !== detailShown) {
      void refreshDetail(id);
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

function startTicking(): void {
  stopTicking();
  list.tick(Date.now());
  ticker = window.setInterval(() => list.tick(Date.now()), 1000);
}

function stopTicking(): void {
  if (ticker !== undefined) window.clearInterval(ticker);
  ticker = undefined;
}

/** Whether the countdowns tick now (tests read it). */
export function isTicking(): boolean {
  return ticker !== undefined;
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
        on: { click: () => void openAdd() },
      }),
      h("button", {
        text: "Settings",
        attrs: { type: "button", "data-action": "settings" },
        on: { click: () => void openSettings() },
      }),
    ),
  );
  root.append(
    h("a", { class: "skip", text: "Skip to the accounts", attrs: { href: "#main" } }),
    header,
    banners,
    notice,
    stage,
  );
  showList();
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && screen.kind !== "list") showList();
  });
  document.addEventListener("visibilitychange", () =>
    document.hidden ? stopTicking() : startTicking(),
  );
  // The window's process put what the files say into the page before it loaded, so the list
  // paints without waiting for the backend or an IPC round trip.
  const first = embeddedOverview();
  if (first) {
    apply(first);
    if (!document.hidden) startTicking();
    reportPaint();
  }
  await onOverview(apply);
  // The backend's overview waits for it to start (the window opens first).
  try {
    apply(await backend.overview());
  } catch (e) {
    // What the embedded overview said no longer holds.
    clear(banners);
    bannersShown = "";
    list.cannotStart((e as AppError).message);
  }
  if (!first) {
    if (!document.hidden) startTicking();
    reportPaint();
  }
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
