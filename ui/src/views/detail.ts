// One account in detail: the decoded JWT (header and claims: issuer, subject, issued, expires,
// the rest), the refresh history (time, outcome, latency, error), its settings, and Edit,
// Log in, and Remove (with a confirmation; removes the keychain entries too).
import type { AccountInfo } from "../bindings/AccountInfo";
import type { AppError } from "../bindings/AppError";
import type { OAuthSettings } from "../bindings/OAuthSettings";
import { append, h, onAction } from "../dom";
import { claimValue, countdown, localTime, relative } from "../format";
import { backend, call } from "../ipc";
import { provider } from "../providers";
import { errorWords, statusLook } from "../status";
import type { View } from "../view";
import { certificateView, problemTitle } from "./certificate";
import { GRANTS } from "./oauth-fields";

export interface DetailActions {
  back(): void;
  edit(info: AccountInfo): void;
  login(info: AccountInfo): void;
  removed(name: string): void;
}

const KNOWN_CLAIMS: [string, string][] = [
  ["iss", "Issuer"],
  ["sub", "Subject"],
  ["aud", "Audience"],
  ["iat", "Issued"],
  ["nbf", "Not before"],
  ["exp", "Expires"],
];

function table(caption: string, head: string[], rows: string[][], field: string): HTMLElement {
  return h(
    "table",
    { attrs: { "data-field": field } },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, ...head.map((t) => h("th", { text: t, attrs: { scope: "col" } })))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", { text: c }))))),
  );
}

export function detailView(info: AccountInfo, actions: DetailActions): View {
  const element = h("section", {
    class: "panel detail",
    attrs: { "aria-label": `${info.name} in detail` },
  });
  const now = Date.now();
  const look = statusLook(info);
  const claims = info.claims ?? {};
  const claimRows: string[][] = [];
  for (const [key, label] of KNOWN_CLAIMS) {
    if (key in claims) claimRows.push([label, key, claimValue(key, claims[key], now)]);
  }
  for (const [key, value] of Object.entries(claims)) {
    if (!KNOWN_CLAIMS.some(([k]) => k === key))
      claimRows.push(["", key, claimValue(key, value, now)]);
  }
  // OpenID Connect: who signed in, from the last ID token's claims (the token itself is kept
  // nowhere and never handed out).
  const idRows = Object.entries(info.id_token_claims ?? {}).map(([k, v]) => [
    k,
    claimValue(k, v, now),
  ]);
  const headerRows = Object.entries(info.jwt_header ?? {}).map(([k, v]) => [
    k,
    typeof v === "string" ? v : JSON.stringify(v),
  ]);
  const history = [...info.history]
    .reverse()
    .map((e) => [
      localTime(e.at, now),
      e.outcome.replace("_", " "),
      `${e.latency_ms} ms`,
      e.error ? errorWords(e.error) : "",
    ]);
  const setting = (label: string, value: string) =>
    h("div", {}, h("dt", { text: label }), h("dd", { text: value }));
  /** An OAuth 2.0 account's client, grant and endpoints. */
  const oauthSettings = (o: OAuthSettings) => [
    setting("Client", `${o.client_id} (${o.client_auth === "none" ? "public" : o.client_auth})`),
    setting("Sign-in", GRANTS.find((g) => g.id === o.grant)?.label ?? o.grant),
    setting("Scopes", o.scopes?.length ? o.scopes.join(" ") : "—"),
    setting("Token endpoint", o.endpoints.token),
    setting(
      "Revocation",
      o.endpoints.revocation ?? "not offered: removing the account cannot end its grant",
    ),
    ...(o.resource ? [setting("Resource", o.resource)] : []),
    ...(o.audience ? [setting("Audience", o.audience)] : []),
  ];
  const removeArea = h("div", { class: "remove-area" });
  // Pinned accounts stay in the tray's menu when there are too many to list them all.
  let pinned = info.pinned;
  const pinButton = h("button", {
    attrs: { type: "button", "data-action": "pin", "aria-pressed": String(pinned) },
  });
  const showPin = () => {
    pinButton.textContent = pinned ? "Unpin from the tray" : "Pin to the tray";
    pinButton.setAttribute("aria-pressed", String(pinned));
  };
  showPin();
  const pin = async () => {
    try {
      // Called here, not through `backend`: a lazy screen's command stays out of the first
      // script (tests/size.mjs).
      pinned = (await call("pin_account", { id: info.id, pinned: !pinned })).pinned;
      showPin();
    } catch (e) {
      removeArea.append(h("p", { class: "bad", text: (e as AppError).message }));
    }
  };
  const showRemove = () => {
    removeArea.replaceChildren(
      h("button", {
        class: "danger",
        text: "Remove",
        attrs: { type: "button", "data-action": "remove" },
      }),
    );
  };
  const confirmRemove = () => {
    const yes = h("button", {
      class: "danger",
      text: `Remove ${info.name}`,
      attrs: { type: "button", "data-action": "confirm-remove" },
    });
    removeArea.replaceChildren(
      h("p", {
        text: `Remove ${info.name} and its keychain entries? Scripts using it will stop getting tokens.`,
      }),
      yes,
      h("button", { text: "Keep it", attrs: { type: "button", "data-action": "cancel-remove" } }),
    );
    yes.focus();
  };
  const remove = async () => {
    try {
      await backend.remove(info.id);
      actions.removed(info.name);
    } catch (e) {
      removeArea.append(h("p", { class: "bad", text: (e as AppError).message }));
    }
  };
  showRemove();
  const error = info.last_error;
  append(
    element,
    h(
      "header",
      {},
      h("button", {
        text: "← Back",
        attrs: { type: "button", "data-action": "back", "aria-label": "Back to the list" },
      }),
      h("h2", { text: info.name }),
      h("span", { class: "provider", text: provider(info.provider).label }),
      h("span", { class: `status tone-${look.tone}`, text: `${look.symbol} ${look.word}` }),
    ),
    h(
      "dl",
      { class: "facts" },
      setting("Expires", `${localTime(info.expires_at, now)} (${countdown(info.expires_at, now)})`),
      ...(info.valid_until && info.valid_until !== info.expires_at
        ? [
            setting(
              "Works until",
              `${localTime(info.valid_until, now)} (${countdown(info.valid_until, now)}): this API revokes a token at the next refresh`,
            ),
          ]
        : []),
      setting(
        "Refresh token or session ends",
        info.refresh_expires_at
          ? `${localTime(info.refresh_expires_at, now)} (${relative(info.refresh_expires_at, now)})`
          : "—",
      ),
      setting(
        "Last refresh",
        `${localTime(info.last_refresh, now)} (${relative(info.last_refresh, now)})`,
      ),
      setting(
        "Next refresh",
        info.next_refresh_at
          ? `${localTime(info.next_refresh_at, now)} (${relative(info.next_refresh_at, now)})`
          : "—",
      ),
      setting("Fingerprint", info.token_fingerprint ?? "—"),
    ),
    error
      ? h(
          "div",
          { class: "error" },
          h("strong", { text: "Last error: " }),
          h("span", { class: "api-words", text: errorWords(error) }),
          error.certificate
            ? h(
                "div",
                {},
                h("p", { text: problemTitle(error.certificate) }),
                error.certificate.presented[0]
                  ? certificateView(error.certificate.presented[0], now).element
                  : null,
              )
            : null,
        )
      : null,
    h("h3", { text: "Token" }),
    info.claims
      ? h(
          "div",
          { class: "jwt" },
          table("JWT header", ["Field", "Value"], headerRows, "jwt-header"),
          table("Claims", ["", "Claim", "Value"], claimRows, "jwt-claims"),
        )
      : h("p", {
          class: "hint",
          text: "The token is not a JWT (or none is stored): nothing to decode.",
        }),
    idRows.length
      ? table("Signed in (ID token claims)", ["Claim", "Value"], idRows, "id-token-claims")
      : null,
    h("h3", { text: "Refresh history" }),
    history.length
      ? table(
          "Latest first (the last 50 attempts)",
          ["Time", "Outcome", "Latency", "Error"],
          history,
          "history",
        )
      : h("p", { class: "hint", text: "No attempts yet." }),
    h("h3", { text: "Settings" }),
    h(
      "dl",
      { class: "facts" },
      setting(info.oauth ? "Issuer" : "Base URL", info.url),
      ...(info.api_root
        ? [setting("API at", `${info.api_root} (the site has plain permalinks)`)]
        : []),
      ...(info.oauth
        ? oauthSettings(info.oauth)
        : [
            setting("User name", info.username ?? "—"),
            setting("Token lifetime asked", info.ttl != null ? `${info.ttl} s` : "—"),
          ]),
      setting(
        "Refresh lead",
        info.refresh_lead_secs != null ? `${info.refresh_lead_secs} s` : "default",
      ),
      setting("CA file", info.ca_cert ?? "—"),
      setting("Trusted certificate", info.trust_cert ?? "—"),
      setting("Certificate verification", info.insecure ? "OFF (unsafe)" : "on"),
      setting(
        "In the keychain",
        info.stored_secrets.length ? info.stored_secrets.join(", ") : "nothing",
      ),
      setting(
        "Stored password refused",
        info.password_refused ? "yes: it will not be sent again" : "no",
      ),
      setting("Added", localTime(info.created_at, now)),
    ),
    h(
      "div",
      { class: "actions" },
      h("button", {
        text: "Edit",
        attrs: { type: "button", "data-action": "edit" },
      }),
      h("button", {
        text: "Log in",
        attrs: { type: "button", "data-action": "login" },
      }),
      pinButton,
      removeArea,
    ),
  );
  const stopListening = onAction(element, {
    pin: () => void pin(),
    back: () => actions.back(),
    edit: () => actions.edit(info),
    login: () => actions.login(info),
    remove: confirmRemove,
    "confirm-remove": () => void remove(),
    "cancel-remove": showRemove,
  });
  return { element, destroy: stopListening };
}
