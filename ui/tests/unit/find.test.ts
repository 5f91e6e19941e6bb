import { describe, expect, it } from "vitest";
import type { AccountRow } from "../../src/bindings/AccountRow";
import { matches } from "../../src/filter";
import { savedSort, saveSort, sortRows } from "../../src/sort";

function row(over: Partial<AccountRow> & Pick<AccountRow, "id" | "name">): AccountRow {
  return {
    refreshing: false,
    provider: "smartling",
    url: "https://api.smartling.com/",
    username: null,
    status: "fresh",
    expires_at: null,
    refresh_expires_at: null,
    last_refresh: null,
    token_fingerprint: null,
    next_refresh_at: null,
    last_error: null,
    insecure: false,
    plain_permalinks: false,
    plain_http: false,
    allow_plain_http: false,
    api_root: null,
    trust_cert: null,
    tags: [],
    pinned: false,
    ...over,
  } as AccountRow;
}

const at = (secs: number) => new Date(Date.UTC(2026, 11, 5) + secs * 1000).toISOString();

const rows = [
  row({
    id: "1",
    name: "client-b",
    provider: "jwt-auth-pro",
    url: "https://blog.client-b.example/",
    expires_at: at(600),
  }),
  row({
    id: "2",
    name: "Client-a",
    provider: "redis-enterprise",
    url: "https://cluster.prod.example:9443/",
    status: "needs_login",
  }),
  row({
    id: "3",
    name: "client-10",
    provider: "ece",
    url: "https://ece.example:12443/",
    status: "error",
    expires_at: at(60),
  }),
  row({
    id: "4",
    name: "client-9",
    expires_at: at(3600),
    status: "expiring",
    tags: ["prod", "team-x"],
  }),
];

describe("filter", () => {
  it("matches name, API, host and status, case-insensitively, every word", () => {
    const found = (q: string) => rows.filter((r) => matches(r, q)).map((r) => r.id);
    expect(found("")).toEqual(["1", "2", "3", "4"]);
    expect(found("CLIENT-A")).toEqual(["2"]);
    expect(found("redis")).toEqual(["2"]);
    expect(found("wordpress")).toEqual(["1"]);
    expect(found("prod.example")).toEqual(["2"]);
    expect(found("9443")).toEqual(["2"]);
    expect(found("needs login")).toEqual(["2"]);
    expect(found("error")).toEqual(["3"]);
    expect(found("client ece")).toEqual(["3"]);
    expect(found("client nowhere")).toEqual([]);
    expect(found("team-x")).toEqual(["4"]);
    expect(found("prod")).toEqual(["2", "4"]);
  });
  it("takes #tag as one of the account's tags, exactly", () => {
    const found = (q: string) => rows.filter((r) => matches(r, q)).map((r) => r.id);
    expect(found("#prod")).toEqual(["4"]);
    expect(found("#PROD")).toEqual(["4"]);
    expect(found("#pro")).toEqual([]);
    expect(found("#prod client-9")).toEqual(["4"]);
    expect(found("#prod client-a")).toEqual([]);
    expect(found("#")).toEqual([]);
  });
});

describe("sort", () => {
  it("orders by name the way people count (client-9 before client-10), case aside", () => {
    expect(sortRows(rows, "name").map((r) => r.name)).toEqual([
      "client-9",
      "client-10",
      "Client-a",
      "client-b",
    ]);
  });
  it("orders by expiry, soonest first, unknown last", () => {
    expect(sortRows(rows, "expiry").map((r) => r.id)).toEqual(["3", "1", "4", "2"]);
  });
  it("puts problems first", () => {
    expect(sortRows(rows, "status").map((r) => r.status)).toEqual([
      "needs_login",
      "error",
      "expiring",
      "fresh",
    ]);
  });
  it("does not change the rows it was given", () => {
    const before = rows.map((r) => r.id);
    sortRows(rows, "expiry");
    expect(rows.map((r) => r.id)).toEqual(before);
  });
  it("remembers the choice, and falls back to name for anything else", () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    expect(savedSort(storage)).toBe("name");
    saveSort(storage, "expiry");
    expect(savedSort(storage)).toBe("expiry");
    store.set("tokenkeeper.sort", "bogus");
    expect(savedSort(storage)).toBe("name");
    expect(savedSort(undefined)).toBe("name");
  });
});
