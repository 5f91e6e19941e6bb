import { describe, expect, it } from "vitest";
import type { Status } from "../../src/bindings/Status";
import { errorWords, nextStep, statusLook } from "../../src/status";

describe("status look", () => {
  const statuses: Status[] = ["fresh", "expiring", "expired", "error", "needs_login"];
  it("gives every status a word, a symbol and a tone, all different", () => {
    const looks = statuses.map((status) => statusLook({ status, refreshing: false }));
    expect(looks.map((l) => l.word)).toEqual([
      "fresh",
      "expiring",
      "expired",
      "error",
      "needs login",
    ]);
    expect(new Set(looks.map((l) => l.symbol)).size).toBe(statuses.length);
    expect(looks.map((l) => l.tone)).toEqual(["ok", "warn", "bad", "bad", "bad"]);
  });
  it("says refreshing while an attempt runs, whatever the status", () => {
    for (const status of statuses) {
      expect(statusLook({ status, refreshing: true }).word).toBe("refreshing");
    }
  });
});

describe("error words", () => {
  it("keeps the API's status, code and message", () => {
    expect(
      errorWords({ status: 401, code: "AUTHENTICATION_ERROR", message: "Invalid token" }),
    ).toBe("401 AUTHENTICATION_ERROR: Invalid token");
    expect(errorWords({ status: null, code: "network", message: "connection refused" })).toBe(
      "network: connection refused",
    );
    expect(errorWords({ status: 503, code: null, message: "Service Unavailable" })).toBe(
      "503 Service Unavailable",
    );
    expect(errorWords(null)).toBe("");
  });
  it("names a next step for each kind", () => {
    expect(nextStep({ kind: "transient", code: "x", certificate: undefined }, "error")).toMatch(
      /retries/,
    );
    expect(nextStep({ kind: "config", code: "x", certificate: undefined }, "error")).toMatch(
      /Edit/,
    );
    expect(nextStep({ kind: "auth", code: "x", certificate: undefined }, "needs_login")).toMatch(
      /Log in/,
    );
    expect(nextStep(null, "fresh")).toBe("");
    // An unusable answer: whether the old token is still handed out depends on the row.
    const protocol = { kind: "protocol" as const, code: "bad_response", certificate: undefined };
    expect(nextStep(protocol, "error", true)).toMatch(/still handed out/);
    expect(nextStep(protocol, "error", false)).toMatch(/No token is handed out/);
    expect(nextStep(protocol, "error", false)).not.toMatch(/is kept/);
  });
});
