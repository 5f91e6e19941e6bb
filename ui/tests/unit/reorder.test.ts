// The list's reordering: the wanted order, with the fewest moves (a moved element loses focus).
import { describe, expect, it } from "vitest";
import { longestIncreasing, reorder } from "../../src/reorder";

function list(names: string[]): HTMLElement {
  const parent = document.createElement("div");
  for (const n of names) {
    const el = document.createElement("p");
    el.id = n;
    parent.append(el);
  }
  return parent;
}
const order = (parent: HTMLElement) => [...parent.children].map((c) => c.id);
const els = (parent: HTMLElement, names: string[]) =>
  names.map((n) => parent.querySelector(`#${n}`) as Element);

describe("longestIncreasing", () => {
  it("finds one longest increasing run, skipping negatives", () => {
    expect([...longestIncreasing([0, 1, 2, 3])].sort()).toEqual([0, 1, 2, 3]);
    expect(longestIncreasing([3, 0, 1, 2]).size).toBe(3);
    expect([...longestIncreasing([3, 0, 1, 2])].sort()).toEqual([1, 2, 3]);
    expect([...longestIncreasing([-1, 2, -1, 5])].sort()).toEqual([1, 3]);
    expect(longestIncreasing([]).size).toBe(0);
  });
});

describe("reorder", () => {
  it("moves only the element that changed place", () => {
    const names = Array.from({ length: 500 }, (_, i) => `r${i}`);
    const parent = list(names);
    // r0 gets the latest expiry: it goes to the end; nothing else should move.
    const wanted = [...names.slice(1), "r0"];
    expect(reorder(parent, els(parent, wanted))).toBe(1);
    expect(order(parent)).toEqual(wanted);
  });

  it("puts new elements in and reaches any order", () => {
    const parent = list(["a", "b", "c", "d"]);
    const fresh = document.createElement("p");
    fresh.id = "n";
    const wanted = [...els(parent, ["d", "b"]), fresh, ...els(parent, ["a", "c"])];
    reorder(parent, wanted);
    expect(order(parent)).toEqual(["d", "b", "n", "a", "c"]);
    expect(reorder(parent, wanted)).toBe(0);
  });

  it("reverses with n - 1 moves", () => {
    const parent = list(["a", "b", "c", "d", "e"]);
    expect(reorder(parent, els(parent, ["e", "d", "c", "b", "a"]))).toBe(4);
    expect(order(parent)).toEqual(["e", "d", "c", "b", "a"]);
  });

  it("does not move children it was not given", () => {
    const parent = list(["x", "a", "b"]);
    expect(reorder(parent, els(parent, ["a", "b"]))).toBe(0);
    expect(order(parent)).toEqual(["x", "a", "b"]);
  });
});
