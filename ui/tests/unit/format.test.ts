import { describe, expect, it } from "vitest";
import { claimValue, countdown, duration, localTime, relative, validFor } from "../../src/format";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const at = (secs: number) => new Date(NOW + secs * 1000).toISOString();

describe("countdown", () => {
  it("counts down in seconds, minutes and hours", () => {
    expect(countdown(at(42), NOW)).toBe("42s");
    expect(countdown(at(4 * 60 + 12), NOW)).toBe("4m 12s");
    expect(countdown(at(4 * 60 + 2), NOW)).toBe("4m 02s");
    expect(countdown(at(3600 + 120), NOW)).toBe("1h 02m");
    expect(countdown(at(3 * 86400 + 5 * 3600), NOW)).toBe("3d 5h");
  });
  it("moves by one each second", () => {
    expect(countdown(at(61), NOW)).toBe("1m 01s");
    expect(countdown(at(61), NOW + 1000)).toBe("1m 00s");
    expect(countdown(at(61), NOW + 2000)).toBe("59s");
  });
  it("says when it expired and when there is no token", () => {
    expect(countdown(at(0), NOW)).toBe("expired 0s ago");
    expect(countdown(at(-75), NOW)).toBe("expired 1m 15s ago");
    expect(countdown(null, NOW)).toBe("no token");
    expect(countdown("garbage", NOW)).toBe("unknown");
  });
});

describe("relative and local times", () => {
  it("reads as in … or … ago", () => {
    expect(relative(at(252), NOW)).toBe("in 4m 12s");
    expect(relative(at(-185), NOW)).toBe("3m 05s ago");
    expect(relative(at(0), NOW)).toBe("now");
    expect(relative(null, NOW)).toBe("—");
  });
  it("shows the local time to the second, with the date on another day", () => {
    const d = new Date(NOW + 5000);
    const pad = (n: number) => String(n).padStart(2, "0");
    expect(localTime(d.toISOString(), NOW)).toBe(
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    );
    expect(localTime(at(3 * 86400), NOW)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
  it("words a validity like the Copy message does", () => {
    expect(validFor(7 * 60 + 59)).toBe("7m");
    expect(validFor(30)).toBe("30s");
    expect(validFor(3900)).toBe("1h 5m");
    expect(duration(-5)).toBe("0s");
  });
  it("shows time claims as dates and the rest as JSON", () => {
    expect(claimValue("exp", NOW / 1000 + 60, NOW)).toContain("(in 1m 00s)");
    expect(claimValue("sub", "alice", NOW)).toBe("alice");
    expect(claimValue("roles", ["a", "b"], NOW)).toBe('["a","b"]');
    // Microseconds by mistake: out of a date's range, shown as the number.
    expect(claimValue("exp", 1.7e18, NOW)).toBe("1700000000000000000");
  });
});
