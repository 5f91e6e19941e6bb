// The add form's OAuth 2.0 part (provider oauth2): the client id, the grant, how the client
// authenticates, the scopes, and for a server without discovery its endpoints; plus what the
// server's discovery document says it supports, shown once Discover has read it. The form
// (form.ts) owns the fields' rows, validation and saving; here are the fields and the request
// they make, which the core settles (`OAuthRequest::settle`) exactly as `tokenkeeper add` does.
import type { ClientAuth } from "../bindings/ClientAuth";
import type { Discovery } from "../bindings/Discovery";
import type { Grant } from "../bindings/Grant";
import type { OAuthRequest } from "../bindings/OAuthRequest";
import { clear, h } from "../dom";
import type { Field, FormValues } from "../validate";

export const GRANTS: readonly { id: Grant; label: string }[] = [
  { id: "authorization-code", label: "The browser on this computer (authorization code)" },
  { id: "device-code", label: "A code entered on any device (device code)" },
  { id: "client-credentials", label: "The client secret: a service account (client credentials)" },
];

const CLIENT_AUTH: readonly { id: ClientAuth | "auto"; label: string }[] = [
  { id: "auto", label: "Automatic: none without a secret, else what the server prefers" },
  { id: "none", label: "None (a public client)" },
  { id: "client_secret_basic", label: "Client secret in HTTP Basic (client_secret_basic)" },
  { id: "client_secret_post", label: "Client secret in the body (client_secret_post)" },
];

type Row = (
  name: Field,
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  hint?: string,
) => HTMLElement;

export interface OAuthFields {
  /** The fields, shown for an OAuth 2.0 account only. */
  readonly element: HTMLElement;
  /** What Discover found, shown above the fields. */
  readonly discovered: HTMLElement;
  /** Shows what the server supports and takes its defaults for the fields left alone. */
  showDiscovery(d: Discovery): void;
  /** Forgets what was discovered (the issuer URL changed). */
  forget(): void;
}

export function oauthFields(row: Row): OAuthFields {
  const input = (attrs: Record<string, string>) => h("input", { attrs });
  const url = (placeholder: string) =>
    input({ type: "url", autocomplete: "off", spellcheck: "false", placeholder });
  const grant = h(
    "select",
    {},
    ...GRANTS.map((g) => h("option", { text: g.label, attrs: { value: g.id } })),
  );
  const clientAuth = h(
    "select",
    {},
    ...CLIENT_AUTH.map((m) => h("option", { text: m.label, attrs: { value: m.id } })),
  );
  const scopes = input({
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "openid offline_access",
  });
  const discovered = h("div", {
    class: "discovered",
    attrs: { hidden: true, "data-field": "discovered", "aria-live": "polite" },
  });
  const endpoints = h(
    "details",
    { class: "advanced" },
    h("summary", { text: "Endpoints, resource and audience" }),
    h("p", {
      class: "hint",
      text: "Only for a server without a discovery document: then the token endpoint replaces the issuer URL.",
    }),
    row("tokenEndpoint", "Token endpoint", url("https://login.example.com/oauth/token")),
    row(
      "authorizationEndpoint",
      "Authorization endpoint",
      url("https://login.example.com/oauth/authorize"),
    ),
    row(
      "deviceEndpoint",
      "Device authorization endpoint",
      url("https://login.example.com/oauth/device"),
    ),
    row("revocationEndpoint", "Revocation endpoint", url("https://login.example.com/oauth/revoke")),
    row(
      "resource",
      "Resource (RFC 8707)",
      input({ autocomplete: "off", spellcheck: "false", placeholder: "https://api.example.com" }),
      "The API the token is for, sent with every token request.",
    ),
    row(
      "audience",
      "Audience",
      input({ autocomplete: "off", spellcheck: "false" }),
      "What Auth0 and Okta's custom servers take instead of a resource.",
    ),
  );
  const element = h(
    "div",
    { class: "oauth-fields", attrs: { "data-field": "oauth-fields" } },
    row(
      "clientId",
      "Client id",
      input({ autocomplete: "off", spellcheck: "false" }),
      "The id the server registered for TokenKeeper (a public client, or one with a secret).",
    ),
    row("grant", "Sign in with", grant),
    row("clientAuth", "Client authentication", clientAuth),
    row(
      "scopes",
      "Scopes",
      scopes,
      "Separated by spaces. Empty: openid and offline_access where the server lists them, so a refresh token comes.",
    ),
    endpoints,
  );

  function forget(): void {
    discovered.hidden = true;
    clear(discovered);
    for (const option of grant.options) option.disabled = false;
  }

  function showDiscovery(d: Discovery): void {
    clear(discovered);
    const words = (list: string[]) => (list.length ? list.join(", ") : "none listed");
    const offered = GRANTS.filter((g) => d.grants.includes(g.id));
    discovered.append(
      h("p", { class: "ok", text: `${d.issuer} answered (${d.document}).` }),
      h(
        "dl",
        { class: "facts" },
        h("dt", { text: "Sign-in" }),
        h("dd", {
          text: words(offered.map((g) => g.label)),
          attrs: { "data-field": "offered-grants" },
        }),
        h("dt", { text: "Client authentication" }),
        h("dd", { text: words(d.client_auth) }),
        h("dt", { text: "Scopes" }),
        h("dd", { text: words(d.scopes) }),
        h("dt", { text: "Token endpoint" }),
        h("dd", { text: d.endpoints.token }),
        h("dt", { text: "Revocation" }),
        h("dd", {
          text:
            d.endpoints.revocation ??
            "not offered: removing the account cannot end its grant at the server",
        }),
      ),
    );
    discovered.hidden = false;
    for (const option of grant.options) {
      option.disabled = !d.grants.includes(option.value as Grant);
    }
    if (grant.selectedOptions[0]?.disabled) {
      const first = offered[0];
      if (first) grant.value = first.id;
    }
  }

  return { element, discovered, showDiscovery, forget };
}

/** The request the form's OAuth 2.0 fields make. */
export function oauthRequest(v: FormValues): OAuthRequest {
  const text = (t: string) => (t.trim() ? t.trim() : null);
  return {
    client_id: v.clientId.trim(),
    grant: v.grant,
    client_auth: v.clientAuth === "auto" ? null : v.clientAuth,
    with_client_secret: v.secret !== "",
    scopes: v.scopes.split(/\s+/).filter((s) => s !== ""),
    resource: text(v.resource),
    audience: text(v.audience),
    token_endpoint: text(v.tokenEndpoint),
    authorization_endpoint: text(v.authorizationEndpoint),
    device_endpoint: text(v.deviceEndpoint),
    revocation_endpoint: text(v.revocationEndpoint),
    default_lifetime_secs: null,
    revokes_on_refresh: false,
  };
}
