// Whether a form has changes: what decides if Escape and Cancel ask first.
import { describe, expect, it } from "vitest";
import { changedFields, hasChanges } from "../../src/changes";

const opened = { name: "", url: "", secret: "", insecure: false, provider: "smartling" };

describe("form changes", () => {
  it("sees none in a form as it opened", () => {
    expect(hasChanges(opened, { ...opened })).toBe(false);
    expect(changedFields(opened, { ...opened })).toEqual([]);
  });

  it("sees typed text, a ticked box and another choice", () => {
    expect(changedFields(opened, { ...opened, name: "prod" })).toEqual(["name"]);
    expect(changedFields(opened, { ...opened, secret: "s", insecure: true })).toEqual([
      "secret",
      "insecure",
    ]);
    expect(hasChanges(opened, { ...opened, provider: "ece" })).toBe(true);
    // Even spaces were typed by someone.
    expect(hasChanges(opened, { ...opened, url: " " })).toBe(true);
  });

  it("sees none once a change is taken back", () => {
    const edited = { ...opened, name: "prod", url: "https://api.smartling.com" };
    expect(hasChanges(edited, { ...edited, name: "pro" })).toBe(true);
    expect(hasChanges(edited, { ...edited, name: "prod" })).toBe(false);
  });
});
