// The built UI over the official mockIPC: a small in-memory backend with three accounts (one
// fresh, one failing in the API's words, one needing login), so the headless-Chromium tests
// can drive the real views. Every call is recorded in `window.__calls`; `window.__push()`
// sends a new overview as the Rust side would.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import type { AccountRow } from "../../src/bindings/AccountRow";
import type { AppError } from "../../src/bindings/AppError";
import type { AppSettings } from "../../src/bindings/AppSettings";
import type { Commands } from "../../src/bindings/Commands";
import type { Overview } from "../../src/bindings/Overview";

/** A call the page made: one of the Rust list's commands with its arguments (so a test that
 * reads them is typed by that list), or one of Tauri's plugins' (events and the like). */
type Call =
  | { [C in keyof Commands]: { cmd: C; args: Commands[C]["args"] } }[keyof Commands]
  | { cmd: `plugin:${string}`; args: unknown };

declare global {
  interface Window {
    __calls: Call[];
    __push: (change?: (o: Overview) => void) => Promise<void>;
    __overview: Overview;
    __started: (error?: string) => void;
    /** Ends the waiting sign-in as the browser's return would: the account is added. */
    __finishSignIn: () => void;
  }
}

const iso = (secs: number) => new Date(Date.now() + secs * 1000).toISOString();
const FINGERPRINT =
  "3F:9A:1C:00:7B:2D:11:42:9E:51:6A:0C:D4:88:E2:17:5B:33:AC:90:61:F0:0D:2E:47:B8:19:C6:5A:72:E3:04";

function row(over: Partial<AccountRow> & Pick<AccountRow, "id" | "name" | "provider">): AccountRow {
  return {
    refreshing: false,
    url: "https://api.smartling.com/",
    username: "user@example.com",
    status: "fresh",
    expires_at: iso(8 * 60),
    // None: the card counts down to the expiry (an API whose refresh revokes the previous
    // token sends its next refresh here).
    valid_until: null,
    refresh_expires_at: iso(3600),
    last_refresh: iso(-20),
    token_fingerprint: "ab12cd34",
    next_refresh_at: iso(5 * 60),
    last_error: null,
    insecure: false,
    plain_http: false,
    allow_plain_http: false,
    api_root: null,
    trust_cert: null,
    tags: [],
    pinned: false,
    revokes_on_refresh: false,
    ...over,
  };
}

const overview: Overview = {
  accounts: [
    row({ id: "a1", name: "smartling-prod", provider: "smartling" }),
    row({
      id: "a2",
      name: "redis-cluster",
      provider: "redis-enterprise",
      url: "https://cluster.example.com:9443/",
      status: "error",
      token_fingerprint: "9f8e7d6c",
      last_error: {
        status: 401,
        code: "unauthorized",
        message: "the token is invalid or password has expired",
        kind: "auth",
        at: iso(-5),
      },
    }),
    row({
      id: "a3",
      name: "blog",
      provider: "jwt-auth-pro",
      url: "https://blog.example.com/",
      revokes_on_refresh: true,
      api_root: "https://blog.example.com/?rest_route=/jwt-auth/v1",
      status: "needs_login",
      expires_at: iso(-60),
      next_refresh_at: null,
      token_fingerprint: null,
      last_error: {
        status: 403,
        code: "jwt_auth_invalid_refresh_token",
        message: "Invalid refresh token",
        kind: "auth",
        at: iso(-30),
      },
    }),
  ],
  background: { state: "running", tray: "shown", restarts: 0 },
  config_dir: "/home/user/.config/tokenkeeper",
  demo: false,
  keychain: null,
  problem: null,
  sign_in: null,
  generated_at: iso(0),
};
window.__overview = overview;
// With `?embedded` the page starts with the overview the app's process embeds (what the files
// said, the background still starting), as the real window does.
if (new URLSearchParams(location.search).has("embedded")) {
  (
    window as unknown as { __TOKENKEEPER_FIRST_OVERVIEW__?: Overview }
  ).__TOKENKEEPER_FIRST_OVERVIEW__ = {
    ...structuredClone(overview),
    background: { state: "starting" },
  };
}
window.__calls = [];
// With `?accounts=N`, N more accounts (a user with hundreds), expiring a second apart.
const many = Number(new URLSearchParams(location.search).get("accounts") ?? 0);
const kinds = ["redis-enterprise", "ece", "smartling", "generic-jwt", "jwt-auth-pro"] as const;
for (let i = 1; i <= many; i++) {
  overview.accounts.push(
    row({
      id: `m${i}`,
      name: `client-${String(i).padStart(3, "0")}`,
      provider: kinds[i % kinds.length],
      revokes_on_refresh: kinds[i % kinds.length] === "jwt-auth-pro",
      url: `https://site-${i}.example.com/`,
      expires_at: iso(120 + i),
      tags: [i % 2 ? "prod" : "staging", `client-${String.fromCharCode(97 + (i % 3))}`],
    }),
  );
}

// With `?oauth` one more account: an OpenID Connect sign-in (added with the CLI).
if (new URLSearchParams(location.search).has("oauth")) {
  overview.accounts.push(
    row({
      id: "o1",
      name: "work-sso",
      provider: "oauth2",
      url: "https://sso.example.com/realms/main/",
    }),
  );
}

// With `?starting` the backend is still starting when the page loads, as in the app (the
// window opens first): every call waits for `__started()`, or fails with `__started(message)`.
let started: Promise<void> = Promise.resolve();
window.__started = () => undefined;
if (new URLSearchParams(location.search).has("starting")) {
  started = new Promise((ok, no) => {
    window.__started = (error) => (error === undefined ? ok() : no(error));
  });
}
window.__push = async (change) => {
  change?.(overview);
  overview.generated_at = iso(0);
  await emit("overview", structuredClone(overview));
};

let settings: AppSettings = {
  refresh_lead_secs: null,
  clipboard_clear_secs: 30,
  notifications: true,
  autostart: false,
};

function fail(e: Partial<AppError> & Pick<AppError, "code" | "message">): never {
  throw { kind: null, api: null, certificate: null, ...e } satisfies AppError;
}

/** The sign-in waiting for the person: `__finishSignIn` or `cancel_sign_in` ends it. */
let signIn: { done: () => void; cancelled: () => void } | null = null;
window.__finishSignIn = () => signIn?.done();

/** Waits like the backend's add or login while the person signs in. */
async function waitForSignIn(account: string, device: boolean): Promise<void> {
  const step: NonNullable<Overview["sign_in"]>["step"] = device
    ? {
        kind: "device_code",
        code: {
          user_code: "WDJB-MJHT",
          verification_uri: "https://sso.example.com/device",
          verification_uri_complete: null,
          expires_in: 600,
        },
        expires_at: iso(600),
      }
    : {
        kind: "browser",
        url: "https://sso.example.com/realms/main/auth?response_type=code&client_id=tokenkeeper&code_challenge_method=S256",
      };
  const ended = new Promise<boolean>((ok) => {
    signIn = { done: () => ok(true), cancelled: () => ok(false) };
  });
  await window.__push((o) => {
    o.sign_in = { account, step, browser_error: null };
  });
  const finished = await ended;
  signIn = null;
  await window.__push((o) => {
    o.sign_in = null;
  });
  if (!finished)
    fail({ code: "auth", kind: "auth", message: "the sign-in was cancelled: nothing was stored" });
}

function certificateError(): never {
  fail({
    code: "certificate",
    message: "cluster.example.com:9443 presented a self-signed certificate that is not trusted",
    kind: "config",
    certificate: {
      kind: "untrusted",
      host: "cluster.example.com",
      detail: "UnknownIssuer",
      presented: [
        {
          subject: "CN=cluster.example.com, O=Redis",
          issuer: "CN=cluster.example.com, O=Redis",
          not_before: "2026-01-01T00:00:00Z",
          not_after: "2027-01-01T00:00:00Z",
          self_signed: true,
          is_ca: true,
          names: [],
          sha256: FINGERPRINT,
        },
      ],
    },
  });
}

/** The mock's commands, typed by the Rust list: a missing, misspelt or wrongly typed command
 * does not type-check. */
const handlers: {
  [C in keyof Commands]: (args: Commands[C]["args"]) => Promise<Commands[C]["answer"]>;
} = {
  get_overview: async () => {
    return structuredClone(overview);
  },
  copy_token: async ({ id }) => {
    if (id === "a2") {
      // As the core words it: the message already quotes the API's words.
      const words = 'the answer has no "access_token" field';
      fail({
        code: "api",
        message: `HTTP 200 bad_response: ${words}`,
        kind: "protocol",
        api: { status: 200, code: "bad_response", message: words, fields: [] },
      });
    }
    return {
      expires_at: iso(7 * 60 + 20),
      valid_for_secs: 7 * 60 + 20,
      fingerprint: "ab12cd34",
      clear_after_secs: 30,
    };
  },
  copy_header: async (args) => handlers.copy_token(args),
  reveal_token: async () => {
    return {
      token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtb2NrIn0.c2lnbmF0dXJl",
      expires_at: iso(400),
      hide_after_secs: 2,
    };
  },
  refresh_account: async ({ id }) => {
    const target = overview.accounts.find((r) => r.id === id);
    if (target) {
      target.refreshing = true;
      await window.__push();
      setTimeout(() => {
        target.refreshing = false;
        target.status = "error";
        target.last_error = {
          status: 503,
          code: "MAINTENANCE_MODE_ERROR",
          message: "Service is under maintenance",
          kind: "transient",
          at: iso(0),
        };
        void window.__push();
      }, 300);
    }
    return null;
  },
  discover_oauth: async ({ form }) => {
    if (!form.url.includes("sso.example.com"))
      fail({
        code: "api",
        kind: "config",
        message: `HTTP 404 at ${form.url}/.well-known/openid-configuration: no discovery document`,
      });
    const issuer = form.url.replace(/\/?$/, "/");
    return {
      issuer,
      document: `${issuer}.well-known/openid-configuration`,
      endpoints: {
        token: `${issuer}token`,
        authorization: `${issuer}auth`,
        device_authorization: null,
        revocation: `${issuer}revoke`,
      },
      grants: ["authorization-code", "client-credentials"],
      client_auth: ["none", "client_secret_basic"],
      scopes: ["openid", "offline_access", "email"],
      iss_parameter: true,
      pkce_s256: true,
    };
  },
  cancel_sign_in: async () => {
    const waiting = signIn !== null;
    signIn?.cancelled();
    return waiting;
  },
  open_sign_in: async () => null,
  copy_sign_in_code: async () => null,
  add_account: async ({ form }) => {
    if (form.provider === "oauth2" && form.secret_kind === "sign_in")
      await waitForSignIn(form.name, form.oauth?.grant === "device-code");
    if (String(form.url).includes("cluster.example.com") && !form.trust_cert) certificateError();
    if (form.secret === "wrong") {
      fail({
        code: "auth",
        message: "the API refused the credentials",
        kind: "auth",
        api: {
          status: 401,
          code: "root.unauthorized",
          message: "The supplied authentication is invalid",
          fields: [],
        },
      });
    }
    overview.accounts.push(
      row({
        id: `n${overview.accounts.length}`,
        name: form.name,
        provider: form.provider,
        url: form.url,
        revokes_on_refresh: form.provider === "jwt-auth-pro",
      }),
    );
    await window.__push();
    return overview.accounts[overview.accounts.length - 1];
  },
  get_account: async ({ id }) => {
    const r = overview.accounts.find((x) => x.id === id);
    if (!r) fail({ code: "not_found", message: "this account no longer exists" });
    return {
      ...r,
      ttl: null,
      refresh_lead_secs: null,
      ca_cert: null,
      created_at: iso(-86400),
      stored_secrets: ["password", "refresh", "access"],
      password_refused: false,
      id_token_claims:
        r.provider === "oauth2"
          ? { iss: "https://sso.example.com/realms/main", sub: "alice", email: "alice@example.com" }
          : null,
      oauth:
        r.provider === "oauth2"
          ? {
              grant: "device-code",
              client_id: "tokenkeeper",
              client_auth: "client_secret_basic",
              endpoints: { token: "https://sso.example.com/realms/main/token" },
            }
          : null,
      jwt_header: { alg: "ES256K", typ: "JWT" },
      claims: {
        iss: "https://issuer.example",
        sub: "user-42",
        iat: Math.floor(Date.now() / 1000) - 20,
        exp: Math.floor(Date.now() / 1000) + 460,
        scope: ["read", "write"],
      },
      history: [
        { at: iso(-500), outcome: "refreshed", latency_ms: 42 },
        {
          at: iso(-20),
          outcome: "failed",
          latency_ms: 15,
          error: {
            status: 503,
            code: "MAINTENANCE_MODE_ERROR",
            message: "Service is under maintenance",
            at: iso(-20),
          },
        },
      ],
    };
  },
  edit_account: async ({ id, form }) => {
    const r = overview.accounts.find((x) => x.id === id);
    if (!r) fail({ code: "not_found", message: "this account no longer exists" });
    Object.assign(r, { name: form.name, url: form.url, username: form.username });
    await window.__push();
    return r;
  },
  pin_account: async ({ id, pinned }) => {
    const r = overview.accounts.find((x) => x.id === id);
    if (!r) fail({ code: "not_found", message: "this account no longer exists" });
    r.pinned = pinned;
    await window.__push();
    return r;
  },
  remove_account: async ({ id }) => {
    overview.accounts = overview.accounts.filter((r) => r.id !== id);
    await window.__push();
    return null;
  },
  login_account: async ({ id, form }) => {
    const r = overview.accounts.find((x) => x.id === id);
    if (!r) fail({ code: "not_found", message: "this account no longer exists" });
    if (form.secret_kind === "sign_in") {
      await waitForSignIn(r.name, true);
      r.status = "fresh";
    }
    return r;
  },
  get_settings: async () => {
    return settings;
  },
  save_settings: async (a) => {
    settings = a.settings;
    return settings;
  },
  check_keychain: async () => null,
  ui_painted: async () => null,
};

mockIPC(
  async (cmd, args) => {
    // As the page sent it: ipc.ts types each command's arguments by the same list.
    window.__calls.push({ cmd, args } as Call);
    if (cmd !== "ui_painted" && !cmd.startsWith("plugin:")) {
      try {
        await started;
      } catch (message) {
        fail({ code: "local", message: String(message) });
      }
    }
    if (!(cmd in handlers)) fail({ code: "invalid_input", message: `mock: no command ${cmd}` });
    return handlers[cmd as keyof Commands]((args ?? {}) as never);
  },
  { shouldMockEvents: true },
);

await import("../../src/main");
