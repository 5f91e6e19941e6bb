// The built UI (dist-mock: the production views over mockIPC) in headless Chromium, Debian's
// own build, driven by playwright-core: the list renders, countdowns tick (and stop while
// hidden), Copy and Refresh now call the backend, the API's errors and the certificate
// prompt show, and everything works from the keyboard.
//
// Type-checked by `tsc` (tsconfig.json: checkJs) with JSDoc where inference is not enough: the
// test runs on Node (node --test) and its page functions in the browser, so both Node's and the
// DOM's types apply; the mock backend's page globals (`__calls`, `__push`, ...) are typed in
// mock-backend.ts, the ones the tests add in page-globals.d.ts.
// @ts-check
/// <reference types="node" />

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium } from "playwright-core";

const dist = join(import.meta.dirname, "..", "..", "dist-mock");
/** @type {Readonly<Record<string, string>>} */
const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".png": "image/png",
};
/** @typedef {import("playwright-core").Page} Page */
/**
 * A page of the app, with the errors it threw (`pageerror`).
 * @typedef {Page & { errors: Error[] }} AppPage
 */

/** @type {import("node:http").Server} */
let server;
/** @type {import("playwright-core").Browser} */
let browser;
/**
 * The mock build's address, once served.
 * @type {string}
 */
let base;

before(async () => {
  server = createServer(async (req, res) => {
    const path = normalize(
      decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname),
    ).replace(/^(\.\.[/\\])+/, "");
    const file = join(dist, path === "/" ? "mock.html" : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await /** @type {Promise<void>} */ (new Promise((ok) => server.listen(0, "127.0.0.1", ok)));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object", "listening on a TCP port");
  base = `http://127.0.0.1:${address.port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/**
 * The app, ready, in a new page.
 * @param {Parameters<typeof browser.newPage>[0]} [options]
 * @returns {Promise<AppPage>}
 */
async function open(options = {}) {
  const page = await browser.newPage(options);
  /** @type {Error[]} */
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(base);
  await page.waitForSelector("#app[data-ready=true]");
  return Object.assign(page, { errors });
}

/**
 * @param {Page} page
 * @param {string} name
 */
const card = (page, name) => page.locator(`article[data-account="${name}"]`);

/** The list with `n` more accounts (a user with hundreds), in a 960×680 window, the find bar loaded.
 * @param {number} n
 */
async function openMany(n) {
  const page = await browser.newPage({ viewport: { width: 960, height: 680 } });
  await page.goto(`${base}?accounts=${n}`);
  await page.waitForSelector("#app[data-ready=true]");
  await page.waitForSelector("[data-field=filter]");
  return page;
}

/** The account gets a new token, good for two hours; sorted by expiry, it is then last.
 * @param {Page} page
 * @param {string} name
 */
async function expiresLate(page, name) {
  await page.evaluate(
    (n) =>
      window.__push((o) => {
        const row = o.accounts.find((a) => a.name === n);
        if (!row) throw new Error(`no account ${n}`);
        row.expires_at = new Date(Date.now() + 7200_000).toISOString();
      }),
    name,
  );
  await page.waitForFunction(
    (n) =>
      [...document.querySelectorAll("article.account")].at(-1)?.getAttribute("data-account") === n,
    name,
  );
}

describe("the accounts list", () => {
  it("says it is loading while the backend starts, not that there are no accounts", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}?starting`);
    const accounts = page.locator("section.accounts");
    await page.waitForSelector("section.accounts[aria-busy=true] .loading");
    assert.match(await accounts.innerText(), /Loading accounts/);
    assert.doesNotMatch(await accounts.innerText(), /No accounts yet/);
    await page.evaluate(() => window.__started());
    await page.waitForSelector("#app[data-ready=true]");
    assert.equal(await page.locator("article.account").count(), 3);
    assert.equal(await accounts.getAttribute("aria-busy"), null);
    assert.equal(await page.locator(".loading").count(), 0);
    await page.close();
  });

  it("paints the embedded overview before the backend answers, then follows the backend", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}?starting&embedded`);
    // The cards are there while every call still waits for the backend.
    await page.waitForSelector("article.account[data-account=smartling-prod]");
    assert.equal(await page.locator("article.account").count(), 3);
    assert.equal(await page.locator(".loading").count(), 0);
    assert.match(
      await page.locator("[data-banner=info]").innerText(),
      /Starting the TokenKeeper background/,
    );
    assert.equal(
      await page.locator("#app[data-ready=true]").count(),
      0,
      "ready only once the backend answered",
    );
    await page.evaluate(() => window.__started());
    await page.waitForSelector("#app[data-ready=true]");
    await page.waitForFunction(() => !document.querySelector("[data-banner]"));
    await page.close();
  });

  it("drops what the embedded overview said when the backend cannot start", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}?starting&embedded`);
    await page.waitForSelector("[data-banner=info]");
    await page.evaluate(() => window.__started("cannot read the keychain"));
    await page.waitForSelector("[role=alert][data-field=start-error]");
    assert.equal(await page.locator("[data-banner]").count(), 0);
    assert.equal(await page.locator("article.account").count(), 0);
    await page.close();
  });

  it("shows why when the backend cannot start", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}?starting`);
    await page.waitForSelector(".loading");
    await page.evaluate(() =>
      window.__started("cannot read /home/u/.config/tokenkeeper/config.json: Permission denied"),
    );
    await page.waitForSelector("#app[data-ready=true]");
    const failed = page.locator("[role=alert][data-field=start-error]");
    assert.match(await failed.innerText(), /TokenKeeper could not start/);
    assert.match(await failed.innerText(), /Permission denied/);
    assert.match(await failed.innerText(), /open TokenKeeper again/);
    assert.doesNotMatch(await page.locator("section.accounts").innerText(), /No accounts yet/);
    assert.equal(await page.locator(".loading").count(), 0);
    assert.equal(await page.locator("section.accounts").getAttribute("aria-busy"), null);
    await page.close();
  });

  it("renders every account with status words, fingerprint and a masked token", async () => {
    const page = await open();
    assert.equal(await page.locator("article.account").count(), 3);
    assert.match(
      await card(page, "smartling-prod").locator("[data-field=status]").innerText(),
      /✓ fresh/,
    );
    assert.match(
      await card(page, "redis-cluster").locator("[data-field=status]").innerText(),
      /! error/,
    );
    assert.match(
      await card(page, "blog").locator("[data-field=status]").innerText(),
      /needs login/,
    );
    assert.equal(
      await card(page, "smartling-prod").locator("[data-field=fingerprint]").innerText(),
      "ab12cd34",
    );
    assert.match(
      await card(page, "smartling-prod").locator("[data-field=token]").innerText(),
      /^•+$/,
    );
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it("ticks the countdown every second from expires_at, and stops while hidden", async () => {
    const page = await open();
    const countdown = card(page, "smartling-prod").locator("[data-field=countdown]");
    const first = await countdown.innerText();
    assert.match(first, /^[78]m \d\ds$/);
    await page.waitForFunction(
      (before) =>
        /** @type {Element} */ (
          document.querySelector('article[data-account="smartling-prod"] [data-field=countdown]')
        ).textContent !== before,
      first,
      { timeout: 3000 },
    );
    await page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    const frozen = await countdown.innerText();
    await page.waitForTimeout(2200);
    assert.equal(await countdown.innerText(), frozen, "no ticking while hidden");
    await page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForFunction(
      (before) =>
        /** @type {Element} */ (
          document.querySelector('article[data-account="smartling-prod"] [data-field=countdown]')
        ).textContent !== before,
      frozen,
      { timeout: 3000 },
    );
    await page.close();
  });

  it("shows the last error in the API's own words, with a next step", async () => {
    const page = await open();
    const error = card(page, "redis-cluster").locator("[data-field=error]");
    assert.match(
      await error.innerText(),
      /401 unauthorized: the token is invalid or password has expired/,
    );
    assert.ok(await card(page, "blog").getByRole("button", { name: "Log in" }).isVisible());
    assert.ok(
      !(await card(page, "smartling-prod").getByRole("button", { name: "Log in" }).isVisible()),
    );
    await page.close();
  });

  it("copies through the backend (the token never reaches the page) and says how long it is valid", async () => {
    const page = await open();
    await card(page, "smartling-prod").getByRole("button", { name: "Copy", exact: true }).click();
    await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "copy_token"));
    const call = await page.evaluate(() => window.__calls.find((c) => c.cmd === "copy_token"));
    assert.deepEqual(call?.args, { id: "a1" });
    assert.match(
      await card(page, "smartling-prod").locator("[data-field=feedback]").innerText(),
      /Copied, valid for 7m/,
    );
    assert.ok(
      !(await page.content()).includes("eyJhbGciOiJIUzI1NiJ9"),
      "copy never brings the token into the page",
    );
    await page.close();
  });

  it("copies the whole Authorization header through its own command", async () => {
    const page = await open();
    await card(page, "smartling-prod").getByRole("button", { name: "Copy as header" }).click();
    await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "copy_header"));
    const call = await page.evaluate(() => window.__calls.find((c) => c.cmd === "copy_header"));
    assert.deepEqual(call?.args, { id: "a1" });
    assert.match(
      await card(page, "smartling-prod").locator("[data-field=feedback]").innerText(),
      /Copied as header, valid for 7m/,
    );
    await page.close();
  });

  it("says a failed copy's error once, in the API's words", async () => {
    const page = await open();
    await card(page, "redis-cluster").getByRole("button", { name: "Copy", exact: true }).click();
    const feedback = card(page, "redis-cluster").locator("[data-field=feedback]");
    await page.waitForFunction(() =>
      /** @type {Element} */ (
        document.querySelector('article[data-account="redis-cluster"] [data-field=feedback]')
      ).textContent.includes("bad_response"),
    );
    const text = await feedback.innerText();
    assert.equal(text.split("access_token").length - 1, 1, `the API's words once: ${text}`);
    await page.close();
  });

  it("reveals on demand and hides again by itself", async () => {
    const page = await open();
    const c = card(page, "smartling-prod");
    await c.getByRole("button", { name: "Reveal" }).click();
    await page.waitForFunction(() =>
      /** @type {Element} */ (
        document.querySelector('article[data-account="smartling-prod"] [data-field=token]')
      ).textContent.startsWith("eyJ"),
    );
    assert.equal(
      await c.getByRole("button", { name: "Hide" }).getAttribute("aria-pressed"),
      "true",
    );
    await page.waitForFunction(
      () =>
        /** @type {Element} */ (
          document.querySelector('article[data-account="smartling-prod"] [data-field=token]')
        ).textContent.startsWith("•"),
      null,
      { timeout: 4000 },
    );
    await page.close();
  });

  it("counts down to the next refresh where it revokes the token, and Refresh now says so", async () => {
    const page = await open();
    await page.evaluate(() =>
      window.__push((o) => {
        const blog = o.accounts.find((r) => r.name === "blog");
        if (!blog) throw new Error("no account blog");
        Object.assign(blog, {
          status: "fresh",
          last_error: null,
          expires_at: new Date(Date.now() + 400_000).toISOString(),
          valid_until: new Date(Date.now() + 100_000).toISOString(),
        });
      }),
    );
    const c = card(page, "blog");
    await page.waitForFunction(
      () =>
        /** @type {HTMLElement} */ (document.querySelector('article[data-account="blog"]')).dataset
          .status === "fresh",
    );
    const countdown = c.locator("[data-field=countdown]");
    assert.match(
      await countdown.innerText(),
      /^1m [34]\ds$/,
      "until the next refresh, not the expiry",
    );
    assert.match((await countdown.getAttribute("title")) ?? "", /the next refresh revokes it/);
    assert.equal(await c.locator(".facts dt").first().innerText(), "Works for");
    assert.equal(
      await card(page, "smartling-prod").locator(".facts dt").first().innerText(),
      "Expires in",
    );
    // Another API counts down to its expiry.
    assert.match(
      await card(page, "smartling-prod").locator("[data-field=countdown]").innerText(),
      /^[78]m \d\ds$/,
    );
    await c.getByRole("button", { name: "Refresh now" }).click();
    await page.waitForFunction(() =>
      /** @type {Element} */ (
        document.querySelector('article[data-account="blog"]')
      ).textContent.includes("tokens copied before stop working"),
    );
    await page.close();
  });

  it("shows a new error after Refresh now", async () => {
    const page = await open();
    const c = card(page, "smartling-prod");
    await c.getByRole("button", { name: "Refresh now" }).click();
    await page.waitForFunction(
      () =>
        /** @type {HTMLElement} */ (
          document.querySelector('article[data-account="smartling-prod"]')
        ).dataset.status === "error",
      null,
      { timeout: 3000 },
    );
    assert.match(
      await c.locator("[data-field=error]").innerText(),
      /503 MAINTENANCE_MODE_ERROR: Service is under maintenance/,
    );
    assert.match(await c.locator("[data-field=error]").innerText(), /retries by itself/);
    await page.close();
  });

  it("works from the keyboard: Tab reaches Copy, Enter presses it", async () => {
    const page = await open();
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(
        () => document.activeElement?.getAttribute("data-action") === "copy",
      );
    }
    assert.ok(reached, "Copy is reachable with Tab");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "copy_token"));
    await page.close();
  });

  it("shows banners for a desktop without a tray and a locked keychain, and removed accounts disappear", async () => {
    const page = await open();
    assert.equal(
      await page.locator("[data-banner]").count(),
      0,
      "nothing to say while the background runs with its tray",
    );
    await page.evaluate(() =>
      window.__push((o) => {
        o.background = { state: "running", tray: "unavailable", restarts: 0 };
        o.keychain = {
          code: "keychain",
          message: "keychain locked (org.freedesktop.Secret.Error.IsLocked): unlock it and retry",
          kind: null,
          api: null,
          certificate: null,
        };
        o.accounts = o.accounts.filter((a) => a.name !== "blog");
      }),
    );
    await page.waitForSelector("[data-banner=bad]");
    assert.match(await page.locator("[data-banner=info]").innerText(), /No tray on this desktop/);
    assert.match(await page.locator("[data-banner=bad]").innerText(), /unlock it and retry/);
    assert.equal(await page.locator("article.account").count(), 2);
    // The background dies: said, and said again when it is back.
    await page.evaluate(() =>
      window.__push((o) => {
        o.background = { state: "lost" };
      }),
    );
    await page.waitForSelector("[data-banner=warn]");
    assert.match(
      await page.locator("[data-banner=warn]").innerText(),
      /stopped unexpectedly; starting it again/,
    );
    await page.evaluate(() =>
      window.__push((o) => {
        o.background = { state: "running", tray: "shown", restarts: 1 };
      }),
    );
    await page.waitForFunction(() =>
      /stopped unexpectedly once .* and was started again/.test(
        document.querySelector("[data-banner=warn]")?.textContent ?? "",
      ),
    );
    await page.close();
  });
});

describe("status symbols", () => {
  it("has a glyph in the page's font for every one (no empty box)", async () => {
    const source = await readFile(new URL("../../src/status.ts", import.meta.url), "utf8");
    const symbols = [...source.matchAll(/symbol: "([^"]+)"/g)].map((m) => m[1]);
    assert.ok(symbols.length >= 6, `the symbols: ${symbols}`);
    const page = await open();
    // A missing glyph draws as the same box whatever the character: compare with one that no
    // font has (a private-use code point).
    const drawn = await page.evaluate((chars) => {
      const family = getComputedStyle(document.body).fontFamily;
      /** @param {string} c */
      const draw = (c) => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = 40;
        const g = canvas.getContext("2d");
        if (!g) throw new Error("no 2d canvas");
        g.font = `24px ${family}`;
        g.fillText(c, 4, 30);
        return canvas.toDataURL();
      };
      const none = draw("\uE000");
      return chars.map((c) => /** @type {const} */ ([c, draw(c) !== none]));
    }, symbols);
    for (const [c, ok] of drawn)
      assert.ok(ok, `${c} (U+${c.codePointAt(0)?.toString(16)}) has no glyph`);
    await page.close();
  });
});

describe("the no-tray note", () => {
  it("is dismissed for good with Got it, while a restart is still said", async () => {
    const page = await open();
    const noTray = () =>
      window.__push((o) => {
        o.background = { state: "running", tray: "unavailable", restarts: 0 };
      });
    await page.evaluate(noTray);
    const note = page.locator("[data-banner=info]", { hasText: "No tray on this desktop" });
    await note.waitFor();
    await note.getByRole("button", { name: "Got it: do not show this again" }).click();
    await note.waitFor({ state: "detached" });
    assert.match(await page.locator("[data-field=notice]").innerText(), /will not show again/);
    await page.reload();
    await page.waitForSelector("article.account");
    await page.evaluate(() =>
      window.__push((o) => {
        o.background = { state: "running", tray: "unavailable", restarts: 1 };
      }),
    );
    await page.waitForSelector("[data-banner=warn]");
    assert.match(await page.locator("[data-banner=warn]").innerText(), /stopped unexpectedly once/);
    assert.equal(await note.count(), 0, "dismissed: not back after a reload");
    await page.close();
  });
});

describe("the add form", () => {
  it("adapts to the provider and validates as you type", async () => {
    const page = await open();
    await page.getByRole("button", { name: "Add account" }).click();
    const form = page.locator("form.account-form");
    await form.getByLabel("API").selectOption("generic-jwt");
    // The real service logs in with a user name and password, or takes a refresh token.
    assert.ok(
      await form.getByLabel("User name", { exact: false }).isVisible(),
      "the JWT service has a login",
    );
    assert.ok(await form.getByLabel("Password").isVisible(), "a password by default");
    await form.getByLabel("API").selectOption("redis-enterprise");
    assert.ok(await form.getByLabel("Token lifetime (s)").isVisible());
    await form.getByLabel("Name", { exact: true }).fill("has space");
    assert.match(await form.locator("[data-message=name]").innerText(), /letters, digits/);
    await form.getByLabel("Base URL").fill("http://cluster.example.com:8080");
    assert.match(await form.locator("[data-message=url]").innerText(), /unencrypted/);
    await page.close();
  });

  it("shows the API's error inline when the first login fails", async () => {
    const page = await open();
    await page.getByRole("button", { name: "Add account" }).click();
    const form = page.locator("form.account-form");
    await form.getByLabel("API").selectOption("ece");
    await form.getByLabel("Name", { exact: true }).fill("ece-prod");
    await form.getByLabel("Base URL").fill("https://coordinator.example.com:12443");
    await form.getByLabel("User name").fill("admin");
    await form.getByLabel("Password").fill("wrong");
    await form.getByRole("button", { name: "Add and log in" }).click();
    await page.waitForSelector("[data-field=form-api-words]");
    assert.match(
      await page.locator("[data-field=form-api-words]").innerText(),
      /401 root.unauthorized: The supplied authentication is invalid/,
    );
    assert.equal(await page.locator("article.account").count(), 0, "still on the form");
    await page.close();
  });

  it("does not keep saying an account was added once its refresh fails", async () => {
    const page = await open();
    await page.getByRole("button", { name: "Add account" }).click();
    const form = page.locator("form.account-form");
    await form.getByLabel("API").selectOption("jwt-auth-pro");
    await form.getByLabel("Name", { exact: true }).fill("my-blog");
    await form.getByLabel("Base URL").fill("http://127.0.0.1:8881");
    await form.getByLabel("User name", { exact: false }).fill("alice");
    await form.getByLabel("Password").fill("pw");
    await form.getByRole("button", { name: "Add and log in" }).click();
    await page.waitForSelector('article[data-account="my-blog"]');
    const notice = page.locator("[data-field=notice]");
    assert.match(await notice.innerText(), /my-blog added/);
    await page.evaluate(() =>
      window.__push((o) => {
        const r = o.accounts.find((a) => a.name === "my-blog");
        if (!r) throw new Error("no account my-blog");
        r.status = "error";
        r.token_fingerprint = null;
        r.last_error = {
          status: 200,
          code: "bad_response",
          message: 'the answer has no "access_token" field',
          kind: "protocol",
          at: new Date().toISOString(),
        };
      }),
    );
    await page.waitForFunction(
      () =>
        !(
          /** @type {Element} */ (
            document.querySelector("[data-field=notice]")
          ).textContent.includes("added")
        ),
    );
    assert.match(
      await card(page, "my-blog").locator("[data-field=error]").innerText(),
      /No token is handed out/,
    );
    // No mask that suggests a token, and nothing to reveal.
    assert.equal(
      await card(page, "my-blog").locator("[data-field=token]").innerText(),
      "no token held",
    );
    assert.ok(await card(page, "my-blog").getByRole("button", { name: "Reveal" }).isDisabled());
    await page.close();
  });

  it("offers to trust a self-signed certificate, showing what the server presented", async () => {
    const page = await open();
    await page.getByRole("button", { name: "Add account" }).click();
    const form = page.locator("form.account-form");
    await form.getByLabel("Name", { exact: true }).fill("cluster");
    await form.getByLabel("Base URL").fill("https://cluster.example.com:9443");
    await form.getByLabel("User name or email").fill("admin@example.com");
    await form.getByLabel("Password").fill("pw");
    await form.getByRole("button", { name: "Add and log in" }).click();
    const prompt = page.locator("[data-field=cert-prompt]");
    await prompt.waitFor();
    assert.match(await prompt.innerText(), /not trusted/);
    assert.equal(
      await prompt.locator("[data-field=cert-subject]").innerText(),
      "CN=cluster.example.com, O=Redis",
    );
    assert.equal(await prompt.locator("[data-field=cert-self-signed]").innerText(), "yes");
    assert.match(await prompt.locator("[data-field=cert-sha256]").innerText(), /^3F:9A:1C/);
    await prompt.getByRole("button", { name: "Trust this certificate" }).click();
    await page.waitForSelector('article[data-account="cluster"]');
    const adds = await page.evaluate(() =>
      window.__calls.filter((c) => c.cmd === "add_account").map((c) => c.args.form.trust_cert),
    );
    assert.deepEqual(adds, [
      null,
      "3F9A1C007B2D11429E516A0CD488E2175B33AC9061F00D2E47B819C65A72E304",
    ]);
    await page.close();
  });
});

describe("log in", () => {
  it("asks a needs-login account for a new secret and sends it to the backend", async () => {
    const page = await open();
    await card(page, "blog").getByRole("button", { name: "Log in" }).click();
    const form = page.locator("form.account-form");
    await form.getByRole("button", { name: "Log in" }).click();
    assert.match(
      await page.locator("[data-field=login-outcome]").innerText(),
      /Enter the new secret/,
    );
    await form.getByLabel("Secret").fill("new-password");
    await form.getByRole("button", { name: "Log in" }).click();
    await page.waitForSelector("article.account");
    const call = await page.evaluate(() => window.__calls.find((c) => c.cmd === "login_account"));
    assert.deepEqual(call?.args, {
      id: "a3",
      form: { secret_kind: "password", secret: "new-password" },
    });
    await page.close();
  });
});

describe("the detail view", () => {
  it("decodes the JWT whatever its alg and lists the history; Remove asks first", async () => {
    const page = await open();
    await card(page, "smartling-prod").getByRole("button", { name: "Details" }).click();
    await page.waitForSelector("[data-field=jwt-claims]");
    assert.match(await page.locator("[data-field=jwt-header]").innerText(), /ES256K/);
    const claims = await page.locator("[data-field=jwt-claims]").innerText();
    assert.match(claims, /Issuer\s+iss\s+https:\/\/issuer.example/);
    assert.match(claims, /Subject\s+sub\s+user-42/);
    assert.match(claims, /scope\s+\["read","write"\]/);
    assert.match(
      await page.locator("[data-field=history]").innerText(),
      /503 MAINTENANCE_MODE_ERROR/,
    );
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    assert.equal(
      await page.evaluate(() => window.__calls.filter((c) => c.cmd === "remove_account").length),
      0,
      "asks first",
    );
    await page.getByRole("button", { name: "Remove smartling-prod" }).click();
    await page.waitForFunction(() => document.querySelectorAll("article.account").length === 2);
    await page.close();
  });

  it("says where a WordPress site with plain permalinks answers", async () => {
    const page = await open();
    await card(page, "blog").getByRole("button", { name: "Details" }).click();
    // The list's cards have facts too: wait for the detail view's.
    await page.waitForSelector("section.detail dl.facts");
    const facts = await page.locator("section.detail dl.facts").last().innerText();
    assert.match(
      facts,
      /API at\s+https:\/\/blog.example.com\/\?rest_route=\/jwt-auth\/v1 \(the site has plain permalinks\)/,
    );
    await page.close();
    const other = await open();
    await card(other, "smartling-prod").getByRole("button", { name: "Details" }).click();
    await other.waitForSelector("[data-field=jwt-claims]");
    assert.doesNotMatch(await other.locator("dl.facts").last().innerText(), /API at/);
    await other.close();
  });
});

describe("an OpenID Connect account", () => {
  /** The app with the `?oauth` account.
   * @returns {Promise<AppPage>} */
  async function openOAuth() {
    const page = await browser.newPage();
    /** @type {Error[]} */
    const errors = [];
    page.on("pageerror", (e) => errors.push(e));
    await page.goto(`${base}?oauth`);
    await page.waitForSelector("#app[data-ready=true]");
    return Object.assign(page, { errors });
  }

  it("shows who signed in", async () => {
    const page = await openOAuth();
    assert.match(await card(page, "work-sso").innerText(), /OAuth 2.0 \/ OpenID Connect/);
    await card(page, "work-sso").getByRole("button", { name: "Details" }).click();
    await page.waitForSelector("[data-field=id-token-claims]");
    const claims = await page.locator("[data-field=id-token-claims]").innerText();
    assert.match(claims, /sub\s+alice/);
    assert.match(claims, /email\s+alice@example.com/);
    const settings = await page.locator("section.detail dl.facts").last().innerText();
    assert.match(settings, /Issuer\s+https:\/\/sso.example.com\/realms\/main\//);
    assert.match(settings, /Client\s+tokenkeeper \(client_secret_basic\)/);
    assert.match(settings, /Sign-in\s+A code entered on any device/);
    assert.doesNotMatch(settings, /User name|Token lifetime asked/);
    // Edit: what every account has; the issuer came with the endpoints, so it stays.
    await page.getByRole("button", { name: "Edit" }).click();
    const form = page.locator("form.account-form");
    await form.waitFor();
    assert.ok(await form.getByLabel("Issuer URL").isDisabled());
    assert.ok(await page.locator("[data-field=oauth-fields]").isHidden());
    assert.ok(!(await form.getByLabel("Client secret").isVisible()));
    await page.close();
  });

  it("is added from the issuer URL: Discover shows what the server offers, the sign-in shows while it waits, Cancel ends it", async () => {
    const page = await open();
    await page.getByRole("button", { name: "Add account" }).first().click();
    const form = page.locator("form.account-form");
    await form.waitFor();
    await form.getByLabel("API").selectOption("oauth2");
    assert.ok(await form.getByLabel("Issuer URL").isVisible(), "the issuer comes first");
    assert.ok(!(await form.getByLabel("User name").isVisible()), "no user name");
    assert.equal(
      await form.getByRole("button", { name: "Add and sign in" }).count(),
      1,
      "saving signs in",
    );
    // A server without a discovery document: its words, and nothing discovered.
    await form.getByLabel("Issuer URL").fill("https://plain.example.com");
    await form.getByRole("button", { name: "Discover" }).click();
    await page.waitForSelector("[data-field=form-error]");
    assert.match(
      await page.locator("[data-field=form-error]").innerText(),
      /no discovery document/,
    );
    assert.ok(await page.locator("[data-field=discovered]").isHidden());
    await form.getByLabel("Issuer URL").fill("https://sso.example.com/realms/main");
    await form.getByRole("button", { name: "Discover" }).click();
    await page.waitForSelector("[data-field=discovered]:not([hidden])");
    const offered = await page.locator("[data-field=discovered]").innerText();
    assert.match(offered, /The browser on this computer/);
    assert.match(offered, /offline_access/);
    assert.ok(
      await form.locator('select[name=grant] option[value="device-code"]').isDisabled(),
      "a grant the server does not offer cannot be chosen",
    );
    await form.getByLabel("Name", { exact: true }).fill("work");
    await form.getByLabel("Client id").fill("tokenkeeper");
    await form.getByRole("button", { name: "Add and sign in" }).click();
    const signIn = page.locator("[data-field=sign-in]");
    await signIn.getByText("Sign in in your browser").waitFor();
    assert.match(await signIn.locator("[data-field=sign-in-page]").innerText(), /S256/);
    const add = await page.evaluate(() => window.__calls.find((c) => c.cmd === "add_account"));
    assert.ok(add?.cmd === "add_account");
    assert.deepEqual(
      {
        kind: add.args.form.secret_kind,
        url: add.args.form.url,
        client: add.args.form.oauth?.client_id,
        grant: add.args.form.oauth?.grant,
      },
      {
        kind: "sign_in",
        url: "https://sso.example.com/realms/main",
        client: "tokenkeeper",
        grant: "authorization-code",
      },
    );
    await signIn.getByRole("button", { name: "Open the page again" }).click();
    await signIn.getByRole("button", { name: "Cancel sign-in" }).click();
    await page.waitForSelector("[data-field=form-error]");
    assert.match(await page.locator("[data-field=form-error]").innerText(), /cancelled/);
    assert.ok(await signIn.isHidden(), "the sign-in is gone");
    // Again, to the end: the browser comes back and the account is in the list.
    await form.getByRole("button", { name: "Add and sign in" }).click();
    await signIn.getByText("Sign in in your browser").waitFor();
    await page.evaluate(() => window.__finishSignIn());
    await card(page, "work").waitFor();
    const cmds = await page.evaluate(() => window.__calls.map((c) => c.cmd));
    assert.ok(cmds.includes("open_sign_in") && cmds.includes("cancel_sign_in"), cmds.join());
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it("logs in again with a code on another device: the code, Copy, and the client secret its client needs", async () => {
    const page = await openOAuth();
    await page.evaluate(() =>
      window.__push((o) => {
        const row = o.accounts.find((r) => r.name === "work-sso");
        if (row) row.status = "needs_login";
      }),
    );
    await card(page, "work-sso").getByRole("button", { name: "Log in" }).click();
    const form = page.locator("form.account-form");
    await form.getByRole("button", { name: "Sign in" }).click();
    assert.match(
      await page.locator("[data-field=login-outcome]").innerText(),
      /Enter the client secret/,
      "a confidential client sends its secret with the sign-in",
    );
    await form.getByLabel("Client secret").fill("client-secret");
    await form.getByRole("button", { name: "Sign in" }).click();
    const signIn = page.locator("[data-field=sign-in]");
    await signIn.locator("[data-field=user-code]").waitFor();
    assert.equal(await signIn.locator("[data-field=user-code]").innerText(), "WDJB-MJHT");
    assert.match(await signIn.locator("[data-field=code-expires]").innerText(), /^(9|10):\d\d$/);
    await signIn.getByRole("button", { name: "Copy code" }).click();
    await signIn.getByText("Code copied.").waitFor();
    const login = await page.evaluate(() => window.__calls.find((c) => c.cmd === "login_account"));
    assert.deepEqual(login?.args, {
      id: "o1",
      form: { secret_kind: "sign_in", secret: "client-secret" },
    });
    await page.evaluate(() => window.__finishSignIn());
    await page.waitForSelector("article.account");
    assert.match(await page.locator("[data-field=notice]").innerText(), /work-sso: logged in/);
    await page.close();
  });
});

describe("leaving a form", () => {
  /** Fails the test if anything calls window.confirm, alert or prompt.
   * @param {Page} page
   */
  function noDialogs(page) {
    /** @type {string[]} */
    const dialogs = [];
    page.on("dialog", (d) => {
      dialogs.push(d.type());
      void d.dismiss();
    });
    return dialogs;
  }

  it("asks before Escape throws away what was typed; Keep editing keeps it, Discard closes", async () => {
    const page = await open();
    const dialogs = noDialogs(page);
    await page.getByRole("button", { name: "Add account" }).click();
    const form = page.locator("form.account-form");
    await form.getByLabel("Name", { exact: true }).fill("half-typed");
    await form.getByLabel("Base URL").fill("https://cluster.example.com:9443");
    await page.keyboard.press("Escape");
    const question = page.getByRole("group", { name: "Discard changes?" });
    await question.waitFor();
    assert.ok(await question.isVisible());
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      "Keep editing",
      "focus moves to the question",
    );
    assert.ok(!(await form.getByRole("button", { name: "Cancel" }).isVisible()));
    // Escape again goes back to the form, as it was, with focus where it was.
    await page.keyboard.press("Escape");
    assert.ok(!(await question.isVisible()));
    assert.equal(await form.getByLabel("Name", { exact: true }).inputValue(), "half-typed");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "url");
    // Keep editing does the same.
    await page.keyboard.press("Escape");
    await question.getByRole("button", { name: "Keep editing" }).click();
    assert.ok(!(await question.isVisible()));
    assert.equal(await form.getByLabel("Name", { exact: true }).inputValue(), "half-typed");
    assert.equal(
      await form.getByLabel("Base URL").inputValue(),
      "https://cluster.example.com:9443",
    );
    assert.ok(await form.getByRole("button", { name: "Add and log in" }).isVisible());
    // Discard closes the form.
    await page.keyboard.press("Escape");
    await question.getByRole("button", { name: "Discard" }).click();
    await page.waitForSelector("article.account");
    assert.equal(await page.locator("form.account-form").count(), 0);
    assert.equal(await page.locator("article.account").count(), 3);
    assert.deepEqual(dialogs, [], "asks in the page, never with a dialog");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it("closes an untouched form on Escape at once", async () => {
    const page = await open();
    await page.getByRole("button", { name: "Add account" }).click();
    await page.waitForSelector("form.account-form");
    await page.keyboard.press("Escape");
    await page.waitForSelector("article.account");
    assert.equal(await page.locator("form.account-form").count(), 0);
    assert.equal(await page.locator("[data-field=discard]").count(), 0);
    // A value typed and then taken back is no change either.
    await page.getByRole("button", { name: "Add account" }).click();
    const name = page.locator("form.account-form").getByLabel("Name", { exact: true });
    await name.fill("x");
    await name.fill("");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForSelector("article.account");
    assert.equal(await page.locator("form.account-form").count(), 0);
    await page.close();
  });

  it("asks on Cancel too, in the edit and log-in forms, and keeps no secret once discarded", async () => {
    const page = await open();
    const dialogs = noDialogs(page);
    // Edit: an untouched form closes at once; a changed one asks.
    await card(page, "smartling-prod").getByRole("button", { name: "Details" }).click();
    await page.getByRole("button", { name: "Edit" }).click();
    const form = page.locator("form.account-form");
    await form.waitFor();
    await page.keyboard.press("Escape");
    await page.waitForSelector("article.account");
    await card(page, "smartling-prod").getByRole("button", { name: "Details" }).click();
    await page.getByRole("button", { name: "Edit" }).click();
    await form.getByLabel("Base URL").fill("https://api.smartling.com/v2");
    await form.getByRole("button", { name: "Cancel" }).click();
    const question = page.getByRole("group", { name: "Discard changes?" });
    await question.waitFor();
    await question.getByRole("button", { name: "Keep editing" }).click();
    assert.equal(await form.getByLabel("Base URL").inputValue(), "https://api.smartling.com/v2");
    await page.keyboard.press("Escape");
    await question.getByRole("button", { name: "Discard" }).click();
    await page.waitForSelector("article.account");
    // Log in: a typed secret asks first, and is gone from the page once discarded.
    await card(page, "blog").getByRole("button", { name: "Log in" }).click();
    await page.locator("form.account-form").getByLabel("Secret").fill("typed-secret-42");
    await page.keyboard.press("Escape");
    await question.waitFor();
    await page.keyboard.press("Escape");
    assert.equal(
      await page.locator("form.account-form").getByLabel("Secret").inputValue(),
      "typed-secret-42",
    );
    await page.keyboard.press("Escape");
    await question.getByRole("button", { name: "Discard" }).click();
    await page.waitForSelector("article.account");
    assert.equal(await page.locator("form.account-form").count(), 0);
    assert.equal(
      await page.evaluate(() =>
        [...document.querySelectorAll("input")].some((i) => i.value.includes("typed-secret")),
      ),
      false,
    );
    assert.equal(
      await page.evaluate(() => window.__calls.filter((c) => c.cmd === "login_account").length),
      0,
    );
    assert.deepEqual(dialogs, []);
    await page.close();
  });
});

describe("views are destroyed when replaced", () => {
  it("leaves no countdown timer, timeout or listener of a destroyed view behind", async () => {
    const page = await browser.newPage();
    // Count the intervals, the long timeouts (1 s and more: the cards' feedback and reveal
    // timers) and the visibilitychange listeners alive, before the app's script runs.
    await page.addInitScript(() => {
      // The page's window, whose timers are the DOM's (numbered), not Node's.
      const win = /** @type {Window} */ (window);
      const live = {
        /** @type {Set<number>} */
        intervals: new Set(),
        /** @type {Set<number>} */
        timeouts: new Set(),
        /** @type {Set<EventListenerOrEventListenerObject>} */
        visibility: new Set(),
      };
      win.__live = () => ({
        intervals: live.intervals.size,
        timeouts: live.timeouts.size,
        visibility: live.visibility.size,
      });
      const { setInterval, clearInterval, setTimeout, clearTimeout } = win;
      win.setInterval = (...args) => {
        const id = setInterval(...args);
        live.intervals.add(id);
        return id;
      };
      win.clearInterval = (id) => {
        if (id !== undefined) live.intervals.delete(id);
        clearInterval(id);
      };
      win.setTimeout = (fn, delay, ...rest) => {
        if (delay === undefined || !(delay >= 1000)) return setTimeout(fn, delay, ...rest);
        const id = setTimeout(
          /** @param {unknown[]} a */
          (...a) => {
            live.timeouts.delete(id);
            if (typeof fn === "function") fn(...a);
          },
          delay,
          ...rest,
        );
        live.timeouts.add(id);
        return id;
      };
      win.clearTimeout = (id) => {
        if (id !== undefined) live.timeouts.delete(id);
        clearTimeout(id);
      };
      const { addEventListener, removeEventListener } = Document.prototype;
      /**
       * @this {Document}
       * @param {string} type
       * @param {EventListenerOrEventListenerObject} listener
       * @param {boolean | AddEventListenerOptions} [options]
       */
      Document.prototype.addEventListener = function (type, listener, options) {
        if (type === "visibilitychange") live.visibility.add(listener);
        return addEventListener.call(this, type, listener, options);
      };
      /**
       * @this {Document}
       * @param {string} type
       * @param {EventListenerOrEventListenerObject} listener
       * @param {boolean | EventListenerOptions} [options]
       */
      Document.prototype.removeEventListener = function (type, listener, options) {
        if (type === "visibilitychange") live.visibility.delete(listener);
        return removeEventListener.call(this, type, listener, options);
      };
    });
    await page.goto(base);
    await page.waitForSelector("#app[data-ready=true]");
    const live = () => page.evaluate(() => window.__live());
    assert.deepEqual(await live(), { intervals: 1, timeouts: 0, visibility: 1 }, "the list ticks");
    for (let i = 0; i < 4; i++) {
      // Copy and Reveal start a card's timers; leaving the list must clear them.
      await card(page, "smartling-prod").getByRole("button", { name: "Copy", exact: true }).click();
      await page.waitForFunction(() =>
        /** @type {Element} */ (
          document.querySelector('article[data-account="smartling-prod"] [data-field=feedback]')
        ).textContent.startsWith("Copied"),
      );
      await card(page, "smartling-prod").getByRole("button", { name: "Reveal" }).click();
      await card(page, "smartling-prod").getByRole("button", { name: "Hide" }).waitFor();
      assert.equal((await live()).timeouts, 2, "the feedback and the reveal timers run");
      await card(page, "smartling-prod").getByRole("button", { name: "Details" }).click();
      await page.waitForSelector("section.detail");
      assert.deepEqual(await live(), { intervals: 0, timeouts: 0, visibility: 0 }, "on the detail");
      await page.getByRole("button", { name: "Back to the list" }).click();
      await page.waitForSelector("article.account");
      assert.deepEqual(
        await live(),
        { intervals: 1, timeouts: 0, visibility: 1 },
        "back on the list",
      );
    }
    // The new list still ticks.
    const countdown = card(page, "smartling-prod").locator("[data-field=countdown]");
    const before = await countdown.innerText();
    await page.waitForFunction(
      (b) =>
        /** @type {Element} */ (
          document.querySelector('article[data-account="smartling-prod"] [data-field=countdown]')
        ).textContent !== b,
      before,
      { timeout: 3000 },
    );
    await page.close();
  });
});

describe("many accounts", () => {
  it("finds one of 500 in a keystroke: / focuses the filter, the count follows, Escape clears", async () => {
    const page = await openMany(500);
    const count = page.locator("[data-field=count]");
    assert.equal(await count.innerText(), "503 accounts");
    await page.keyboard.press("/");
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("data-field")),
      "filter",
    );
    await page.keyboard.type("client-377");
    assert.equal(await count.innerText(), "1 of 503 accounts");
    const shown = page.locator("article.account:not([hidden])");
    assert.equal(await shown.count(), 1);
    assert.equal(await shown.getAttribute("data-account"), "client-377");
    // By API and host too, every word counting.
    await page.fill("[data-field=filter]", "site-10");
    assert.equal(await count.innerText(), "11 of 503 accounts", "site-10 and site-100…109");
    await page.fill("[data-field=filter]", "smartling site-10");
    assert.equal(await count.innerText(), "2 of 503 accounts", "site-102 and site-107");
    // By tag: the chips show and the filter finds them.
    assert.deepEqual(
      await page
        .locator('article[data-account="client-377"] [data-field=tags] .tag')
        .allInnerTexts(),
      ["prod", "client-c"],
    );
    await page.fill("[data-field=filter]", "staging client-b");
    assert.equal(await count.innerText(), "83 of 503 accounts");
    await page.fill("[data-field=filter]", "needs login");
    assert.equal(await shown.count(), 1);
    assert.equal(await shown.getAttribute("data-account"), "blog");
    await page.keyboard.press("Escape");
    assert.equal(await page.locator("[data-field=filter]").inputValue(), "");
    assert.equal(await count.innerText(), "503 accounts");
    assert.equal(await shown.count(), 503);
    // Ctrl+F from anywhere.
    await page.locator("h1").click();
    await page.keyboard.press("Control+f");
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("data-field")),
      "filter",
    );
    await page.close();
  });

  it("sorts by expiry or by status (problems first) and remembers the choice", async () => {
    const page = await openMany(20);
    // What the shown rows say, in their order.
    const rows = () =>
      page.$$eval("article.account:not([hidden])", (els) =>
        els.map((el) => ({
          name: el.dataset.account,
          status: el.dataset.status,
          expires: /** @type {HTMLElement} */ (el.querySelector("[data-field=countdown]")).dataset
            .expires,
        })),
      );
    /** Whether `list` is in expiry order, soonest first (unknown last).
     * @param {Awaited<ReturnType<typeof rows>>} list
     */
    const byExpiry = (list) =>
      list.every((r, i) => i === 0 || (list[i - 1].expires || "~") <= (r.expires || "~"));
    await page.selectOption("[data-field=sort]", "status");
    const status = await rows();
    const problems = status.findIndex((r) => r.status === "fresh");
    assert.ok(problems >= 2, "the two problem accounts lead");
    assert.ok(
      status.slice(problems).every((r) => r.status === "fresh"),
      `no problem after a fresh one: ${status.map((r) => r.status)}`,
    );
    assert.equal(status[1].name, "redis-cluster", "not name order (client-001 would be second)");
    await page.selectOption("[data-field=sort]", "expiry");
    // client-001 gets a new token, good for two hours: it goes last.
    await expiresLate(page, "client-001");
    const expiry = await rows();
    assert.ok(byExpiry(expiry), `soonest first: ${expiry.map((r) => r.name)}`);
    assert.notDeepEqual(
      expiry.map((r) => r.name),
      [...expiry.map((r) => r.name)].sort(),
      "expiry order is not name order here",
    );
    await page.reload();
    await page.waitForSelector("[data-field=filter]");
    assert.equal(await page.locator("[data-field=sort]").inputValue(), "expiry");
    assert.ok(byExpiry(await rows()), "still by expiry after a reload");
    await page.selectOption("[data-field=sort]", "name");
    const names = (await rows()).map((r) => r.name);
    assert.deepEqual(names, [...names].sort());
    await page.close();
  });

  it("ticks only the cards on screen, and brings one up to date when it scrolls into view", async () => {
    const page = await openMany(500);
    /** @param {string} name */
    const text = (name) =>
      page.locator(`article[data-account="${name}"] [data-field=countdown]`).innerText();
    // Let the observer settle, then freeze the clock reading of a card far below.
    await page.waitForTimeout(300);
    const farBefore = await text("client-480");
    const nearBefore = await text("client-001");
    await page.waitForTimeout(2200);
    assert.notEqual(await text("client-001"), nearBefore, "a card on screen ticks");
    assert.equal(await text("client-480"), farBefore, "a card off screen does not");
    await page.locator('article[data-account="client-480"]').scrollIntoViewIfNeeded();
    await page.waitForTimeout(200);
    assert.notEqual(await text("client-480"), farBefore, "brought up to date once on screen");
    // A status change reaches a card off screen at once (client-020 is now far above).
    await page.evaluate(() =>
      window.__push((o) => {
        const row = o.accounts.find((a) => a.name === "client-020");
        if (!row) throw new Error("no account client-020");
        row.status = "needs_login";
      }),
    );
    await page.waitForFunction(
      () =>
        /** @type {HTMLElement} */ (document.querySelector('article[data-account="client-020"]'))
          .dataset.status === "needs login",
      null,
      { timeout: 3000 },
    );
    const far = page.locator('article[data-account="client-020"]');
    assert.match((await far.locator("[data-field=status]").textContent()) ?? "", /needs login/);
    const box = await far.boundingBox();
    assert.ok(box !== null && box.y < 0, "still off screen");
    await page.close();
  });
});

describe("the list without a mouse", () => {
  it("types part of a name and copies that account's token with Enter", async () => {
    const page = await openMany(500);
    await page.keyboard.press("/");
    await page.keyboard.type("client-137");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "copy_token"));
    const call = await page.evaluate(() => window.__calls.find((c) => c.cmd === "copy_token"));
    assert.deepEqual(call?.args, { id: "m137" });
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("data-account")),
      "client-137",
      "the copied account's card has the focus",
    );
    await page.close();
  });

  it("moves with the arrows, refreshes with r, copies as header with h, opens details with d", async () => {
    const page = await openMany(20);
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("data-account"));
    await page.focus("[data-field=filter]");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(), "blog");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(), "client-001");
    await page.keyboard.press("End");
    assert.equal(await focused(), "smartling-prod");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focused(), "redis-cluster");
    // One card in the tab order at a time.
    assert.equal(await page.locator('article.account[tabindex="0"]').count(), 1);
    await page.keyboard.press("r");
    await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "refresh_account"));
    await page.keyboard.press("h");
    await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "copy_header"));
    const ids = await page.evaluate(() =>
      window.__calls
        .filter((c) => c.cmd === "refresh_account" || c.cmd === "copy_header")
        .map((c) => c.args.id),
    );
    assert.deepEqual(ids, ["a2", "a2"]);
    await page.keyboard.press("d");
    await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "get_account"));
    await page.locator("button[data-action=edit]").waitFor();
    assert.equal(await page.locator(".detail h2").first().innerText(), "redis-cluster");
    await page.close();
  });

  it("opens the details with Enter on a focused name; Tab leaves the list after one card", async () => {
    const page = await openMany(500);
    await page.focus("[data-field=filter]");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const active = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return {
          account: el?.closest("article.account")?.getAttribute("data-account") ?? null,
          action: el?.getAttribute("data-action") ?? null,
          keys: el?.getAttribute("aria-keyshortcuts") ?? null,
        };
      });
    assert.equal((await active()).account, "client-001");
    await page.keyboard.press("Tab");
    assert.deepEqual(await active(), { account: "client-001", action: "details", keys: null });
    await page.keyboard.press("Tab");
    assert.deepEqual(
      await active(),
      { account: "client-001", action: "copy", keys: "Enter" },
      "the selected card's buttons carry their shortcut",
    );
    // Details is the row's last shown button; the next Tab leaves the 200 rows.
    await page.keyboard.press("Tab");
    assert.equal((await active()).action, "details");
    await page.keyboard.press("Tab");
    assert.equal((await active()).account, null, "Tab left the list instead of crossing 499 rows");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    assert.deepEqual(await active(), { account: "client-001", action: "details", keys: null });
    assert.equal(
      await page
        .locator("article.account:not([data-account='client-001']) button:not([tabindex='-1'])")
        .count(),
      0,
      "no other row's button is in the tab order",
    );
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "get_account"));
    const call = await page.evaluate(() => window.__calls.find((c) => c.cmd === "get_account"));
    assert.equal(call?.args.id, "m1");
    assert.equal(
      await page.evaluate(() => window.__calls.some((c) => c.cmd === "copy_token")),
      false,
      "Enter on the name opened the details, it did not copy",
    );
    await page.close();
  });

  /** The account whose card (or one of its buttons) has the focus.
   * @param {Page} page
   */
  const focusedAccount = (page) =>
    page.evaluate(() =>
      document.activeElement?.closest("article.account")?.getAttribute("data-account"),
    );

  it("keeps the focus on a row a refresh moves, moving that row alone", async () => {
    const page = await openMany(500);
    await page.selectOption("[data-field=sort]", "expiry");
    await page.focus('article[data-account="client-010"]');
    await page.evaluate(() => {
      window.__removed = 0;
      new MutationObserver((records) => {
        for (const r of records) window.__removed += r.removedNodes.length;
      }).observe(/** @type {Element} */ (document.querySelector(".cards")), { childList: true });
    });
    // client-010 gets a new token: it now expires last, so it moves to the end.
    await expiresLate(page, "client-010");
    assert.equal(await focusedAccount(page), "client-010", "the moved row kept the focus");
    assert.equal(await page.evaluate(() => window.__removed), 1, "one row moved, not 500");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focusedAccount(page), "client-500", "and the keys go on from there");
    await page.close();
  });

  it("hands the focus on when the focused row is removed or filtered out", async () => {
    const page = await openMany(500);
    await page.focus("[data-field=filter]");
    await page.keyboard.type("client-00");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedAccount(page), "client-001");
    await page.evaluate(() =>
      window.__push((o) => {
        o.accounts = o.accounts.filter((a) => a.name !== "client-001");
      }),
    );
    await page.waitForFunction(() => !document.querySelector('[data-account="client-001"]'));
    assert.equal(await focusedAccount(page), "client-002", "the first shown row has it");
    // The filter changes under it: no row matches, so the filter field gets it.
    await page.evaluate(() => {
      const f = /** @type {HTMLInputElement} */ (document.querySelector("[data-field=filter]"));
      f.value = "no-such-account";
      f.dispatchEvent(new Event("input"));
    });
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("data-field")),
      "filter",
    );
    assert.equal(
      await page.locator("[data-field=no-match]").innerText(),
      "No account matches “no-such-account”.",
    );
    await page.close();
  });

  it("comes back from the details to the same filter and row", async () => {
    const page = await openMany(500);
    await page.focus("[data-field=filter]");
    await page.keyboard.type("client-3");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedAccount(page), "client-302");
    await page.keyboard.press("d");
    await page.locator("button[data-action=edit]").waitFor();
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-field=filter]");
    assert.equal(await page.locator("[data-field=filter]").inputValue(), "client-3");
    await page.waitForFunction(
      () =>
        document.activeElement?.closest("article.account")?.getAttribute("data-account") ===
        "client-302",
    );
    assert.match(await page.locator("[data-field=count]").innerText(), /^100 of 503/);
    assert.equal(await page.locator(".cards.rows").count(), 1, "rows at once, as before");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedAccount(page), "client-303");
    await page.close();
  });

  it("tells a screen reader where a row is: a feed, 'n of N' of the shown rows", async () => {
    const page = await openMany(500);
    assert.equal(await page.locator(".cards").getAttribute("role"), "feed");
    await page.focus("[data-field=filter]");
    await page.keyboard.type("client-3");
    const second = page.locator('article[data-account="client-301"]');
    assert.equal(await second.getAttribute("aria-posinset"), "2");
    assert.equal(await second.getAttribute("aria-setsize"), "100");
    await page.keyboard.press("ArrowDown");
    const snapshot = await page.locator("article.account:focus").ariaSnapshot();
    assert.match(snapshot, /article "client-300"/);
    await page.close();
  });

  it("goes back to the filter with ArrowUp on the first row, or Escape on any", async () => {
    const page = await openMany(20);
    const inFilter = () =>
      page.evaluate(() => document.activeElement?.getAttribute("data-field") === "filter");
    await page.focus("[data-field=filter]");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedAccount(page), "blog");
    await page.keyboard.press("ArrowUp");
    assert.ok(await inFilter(), "ArrowUp on the first row");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");
    await page.keyboard.press("Escape");
    assert.ok(await inFilter(), "Escape on a row");
    await page.close();
  });

  it("moves down a column in the two-column cards", async () => {
    const page = await open({ viewport: { width: 960, height: 680 } });
    await page.waitForSelector("[data-field=filter]");
    const tops = await page.$$eval(
      "article.account",
      /** @param {HTMLElement[]} els */
      (els) => els.map((el) => [el.dataset.account, el.offsetLeft, el.offsetTop]),
    );
    assert.deepEqual(
      tops.map((t) => t[0]),
      ["blog", "redis-cluster", "smartling-prod"],
    );
    assert.equal(tops[0][2], tops[1][2], "blog and redis-cluster side by side");
    await page.focus('article[data-account="blog"]');
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedAccount(page), "smartling-prod", "the card below, not beside");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focusedAccount(page), "blog");
    await page.keyboard.press("ArrowRight");
    assert.equal(await focusedAccount(page), "redis-cluster");
    await page.close();
  });

  it("shows Log in and the API's error in a compact row", async () => {
    const page = await openMany(500);
    const blog = page.locator('article[data-account="blog"]');
    assert.ok(await blog.getByRole("button", { name: "Log in" }).isVisible());
    assert.match(
      await blog.locator("[data-field=error]").innerText(),
      /jwt_auth_invalid_refresh_token/,
    );
    const fresh = page.locator('article[data-account="client-001"]');
    assert.equal(await fresh.getByRole("button", { name: "Log in" }).isVisible(), false);
    assert.equal(await fresh.locator("[data-field=error]").isVisible(), false);
    await page.close();
  });

  it("lists every shortcut on ?", async () => {
    const page = await open();
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    const text = await help.innerText();
    for (const key of [
      "Ctrl+F",
      "Escape",
      "Enter",
      "Home",
      "Refresh now",
      "Open the details",
      "Copy as header",
    ]) {
      assert.ok(text.includes(key), `${key} in ${text}`);
    }
    await page.keyboard.press("Escape");
    assert.equal(await help.isVisible(), false);
    await page.close();
  });
});

describe("the layout", () => {
  it("shows many accounts as compact rows, a few as cards, and remembers the user's choice", async () => {
    const page = await openMany(200);
    await page.waitForSelector(".cards.rows");
    const layout = page.locator("[data-field=layout]");
    assert.equal(await layout.getAttribute("aria-pressed"), "true");
    const rowHeight = await page
      .locator("article.account")
      .nth(1)
      .evaluate(/** @param {HTMLElement} el */ (el) => el.offsetHeight);
    assert.ok(rowHeight < 60, `a row is one line high: ${rowHeight}px`);
    const visible = await page
      .locator("article.account .actions [data-action=copy]:visible")
      .count();
    assert.ok(visible >= 200, "every row has its Copy");
    await layout.click();
    assert.equal(await page.locator(".cards.rows").count(), 0);
    await page.reload();
    await page.waitForSelector("[data-field=layout]");
    assert.equal(await page.locator(".cards.rows").count(), 0, "cards, as chosen");
    await page.close();
    const few = await open();
    await few.waitForSelector("[data-field=layout]");
    assert.equal(await few.locator(".cards.rows").count(), 0, "three accounts: cards");
    await few.close();
  });
});

describe("pinning", () => {
  it("pins an account to the tray from its details, and unpins it", async () => {
    const page = await open();
    await card(page, "smartling-prod").getByRole("button", { name: "Details" }).click();
    const pin = page.getByRole("button", { name: "Pin to the tray" });
    await pin.click();
    const unpin = page.getByRole("button", { name: "Unpin from the tray" });
    await unpin.waitFor();
    assert.equal(await unpin.getAttribute("aria-pressed"), "true");
    const call = await page.evaluate(() => window.__calls.find((c) => c.cmd === "pin_account"));
    assert.deepEqual(call?.args, { id: "a1", pinned: true });
    await unpin.click();
    await page.getByRole("button", { name: "Pin to the tray" }).waitFor();
    await page.close();
  });
});

describe("groups", () => {
  it("groups by API or by tag, hides a group the filter empties, and remembers the choice", async () => {
    const page = await openMany(20);
    await page.waitForSelector("[data-field=group]");
    assert.equal(await page.locator(".cards > .group").count(), 0, "no groups by default");
    await page.selectOption("[data-field=group]", "api");
    const headers = () => page.locator(".cards > .group:not([hidden])").allInnerTexts();
    assert.deepEqual(await headers(), [
      "Elastic Cloud Enterprise",
      "JWT service (/api/v1/authenticate)",
      "Redis Enterprise Software",
      "Smartling",
      "WordPress JWT Auth Pro",
    ]);
    // Every card sits under its API's header.
    const grouped = await page.evaluate(() => {
      let current = "";
      /** @type {[string | undefined, string, string][]} */
      const seen = [];
      const cards = /** @type {HTMLElement} */ (document.querySelector(".cards"));
      for (const el of /** @type {HTMLCollectionOf<HTMLElement>} */ (cards.children)) {
        if (el.matches(".group")) current = el.textContent;
        else if (el.matches("article.account"))
          seen.push([
            el.dataset.account,
            current,
            /** @type {Element} */ (el.querySelector(".provider")).textContent,
          ]);
      }
      return seen;
    });
    for (const [name, header, api] of grouped) assert.equal(header, api, name);
    await page.selectOption("[data-field=group]", "tag");
    assert.deepEqual(await headers(), ["prod", "staging", "No tag"]);
    await page.fill("[data-field=filter]", "staging");
    assert.deepEqual(await headers(), ["staging"], "groups the filter empties are hidden");
    await page.reload();
    await page.waitForSelector("[data-field=group]");
    assert.equal(await page.locator("[data-field=group]").inputValue(), "tag");
    await page.close();
  });
});
