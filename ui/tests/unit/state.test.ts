// The store: the app's state changes only through its named functions, and says what follows.
import { describe, expect, it } from "vitest";
import type { AccountRow } from "../../src/bindings/AccountRow";
import type { Overview } from "../../src/bindings/Overview";
import { createStore, detailKey } from "../../src/state";
import type { View } from "../../src/view";

function row(id: string, name: string, over: Partial<AccountRow> = {}): AccountRow {
  return {
    id,
    name,
    provider: "smartling",
    refreshing: false,
    url: "https://api.smartling.com/",
    username: "u",
    status: "fresh",
    expires_at: "2026-01-01T00:08:00Z",
    refresh_expires_at: null,
    last_refresh: "2026-01-01T00:00:00Z",
    token_fingerprint: "ab12cd34",
    next_refresh_at: "2026-01-01T00:05:00Z",
    last_error: null,
    insecure: false,
    plain_http: false,
    allow_plain_http: false,
    api_root: null,
    ...over,
  } as AccountRow;
}

function overview(accounts: AccountRow[], over: Partial<Overview> = {}): Overview {
  return {
    accounts,
    background: { state: "running", tray: "shown", restarts: 0 },
    config_dir: "/tmp",
    demo: false,
    keychain: null,
    problem: null,
    generated_at: "2026-01-01T00:00:00Z",
    ...over,
  } as Overview;
}

const view = (): View => ({ element: document.createElement("section"), destroy: () => undefined });

describe("the store", () => {
  it("starts on the list with no overview, and follows the overviews", () => {
    const store = createStore();
    expect(store.state.overview).toBeNull();
    expect(store.state.screen).toEqual({ kind: "list" });
    expect(store.names()).toEqual([]);
    store.overviewArrived(overview([row("a1", "prod"), row("a2", "blog")]));
    expect(store.names()).toEqual(["prod", "blog"]);
    expect(store.row("a2")?.name).toBe("blog");
    expect(store.row("nope")).toBeUndefined();
  });

  it("hands back the view a new one replaces, for main.ts to destroy", () => {
    const store = createStore();
    const list = view();
    const detail = view();
    expect(store.showing(list, { kind: "list" })).toBeNull();
    expect(store.showing(detail, { kind: "detail", id: "a1" })).toBe(list);
    expect(store.state.view).toBe(detail);
    expect(store.state.screen).toEqual({ kind: "detail", id: "a1" });
    // Shown again in place: nothing to destroy.
    expect(store.showing(detail, { kind: "detail", id: "a1" })).toBeNull();
  });

  it("drops a good word about an account once that account fails", () => {
    const store = createStore();
    const fine = overview([row("a1", "prod")]);
    expect(store.noticeStale(fine)).toBe(false);
    store.noticeSaid("prod");
    expect(store.noticeStale(fine)).toBe(false);
    expect(store.noticeStale(overview([row("a1", "prod", { status: "error" })]))).toBe(true);
    expect(store.noticeStale(overview([row("a1", "prod", { status: "needs_login" })]))).toBe(true);
    expect(store.noticeStale(overview([row("a1", "other", { status: "error" })]))).toBe(false);
    store.noticeSaid(null);
    expect(store.noticeStale(overview([row("a1", "prod", { status: "error" })]))).toBe(false);
  });

  it("rebuilds the banners only when what they say changes, and after a failed start", () => {
    const store = createStore();
    const o = overview([row("a1", "prod")]);
    expect(store.bannersChange(o)).toBe(true);
    expect(store.bannersChange(o)).toBe(false);
    // The accounts and the time do not show in the banners.
    expect(store.bannersChange({ ...o, accounts: [], generated_at: "later" })).toBe(false);
    const locked = {
      ...o,
      keychain: { code: "keychain", message: "locked", kind: null, api: null, certificate: null },
    } as Overview;
    expect(store.bannersChange(locked)).toBe(true);
    expect(store.bannersChange({ ...o, demo: true })).toBe(true);
    store.cannotStart("cannot read the files");
    expect(store.state.startError).toBe("cannot read the files");
    expect(store.bannersChange({ ...o, demo: true })).toBe(true);
  });

  it("fetches the detail view again when what it shows of its row changes, not on every overview", () => {
    const store = createStore();
    const first = overview([row("a1", "prod")]);
    store.overviewArrived(first);
    expect(store.detailStale(first)).toBe(false);
    store.showing(view(), { kind: "detail", id: "a1" });
    store.detailShowing("a1");
    expect(store.detailStale(first)).toBe(false);
    // Another account's change is not this view's.
    const other = row("a2", "blog", { status: "error" });
    expect(store.detailStale(overview([row("a1", "prod"), other]))).toBe(false);
    expect(
      store.detailStale(overview([row("a1", "prod", { token_fingerprint: "ffff0000" })])),
    ).toBe(true);
    expect(store.detailStale(overview([row("a1", "prod", { refreshing: true })]))).toBe(true);
    expect(store.detailStale(overview([]))).toBe(true);
    expect(detailKey(undefined)).toBe("");
  });

  it("keeps the list's filter and selected account for the list made next", () => {
    const store = createStore();
    expect(store.state.filter).toBe("");
    expect(store.state.selectedAccount).toBeNull();
    store.filterTyped("client-3");
    store.accountSelected("client-302");
    // Showing another view (the details) leaves them as they were.
    store.showing(view(), { kind: "detail", id: "m302" });
    expect(store.state.filter).toBe("client-3");
    expect(store.state.selectedAccount).toBe("client-302");
    store.filterTyped("");
    store.accountSelected(null);
    expect(store.state.filter).toBe("");
    expect(store.state.selectedAccount).toBeNull();
  });

  it("hands out ids one after another, each store its own", () => {
    const a = createStore();
    const b = createStore();
    expect([a.nextId(), a.nextId(), a.nextId()]).toEqual([1, 2, 3]);
    expect(b.nextId()).toBe(1);
  });
});
