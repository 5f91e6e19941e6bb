// Validation of the add and edit form as the user types, per provider. Pure: tested with
// Vitest. The backend checks again on save.

import type { ClientAuth } from "./bindings/ClientAuth";
import type { Credential } from "./bindings/Credential";
import type { Grant } from "./bindings/Grant";
import type { ProviderKind } from "./bindings/ProviderKind";
import { RULES } from "./bindings/Rules";
import { provider } from "./providers";

export interface FormValues {
  name: string;
  provider: ProviderKind;
  url: string;
  username: string;
  secretKind: Credential;
  secret: string;
  ttl: string;
  refreshLead: string;
  caCert: string;
  trustCert: string;
  insecure: boolean;
  allowPlainHttp: boolean;
  /** Tags, separated by spaces or commas. */
  tags: string;
  /** OAuth 2.0 (provider oauth2): the client, the grant and the endpoints. */
  clientId: string;
  grant: Grant;
  /** "auto": none without a client secret, else what the server lists first. */
  clientAuth: ClientAuth | "auto";
  scopes: string;
  resource: string;
  audience: string;
  tokenEndpoint: string;
  authorizationEndpoint: string;
  deviceEndpoint: string;
  revocationEndpoint: string;
}

/** The OAuth 2.0 fields, empty (the other APIs' forms carry them unused). */
export const NO_OAUTH = {
  clientId: "",
  grant: "authorization-code",
  clientAuth: "auto",
  scopes: "",
  resource: "",
  audience: "",
  tokenEndpoint: "",
  authorizationEndpoint: "",
  deviceEndpoint: "",
  revocationEndpoint: "",
} as const satisfies Partial<FormValues>;

/** The tags typed, as the core keeps them: lower-case, once each, in the order typed. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const t of text.toLowerCase().split(/[\s,]+/)) if (t && !out.includes(t)) out.push(t);
  return out;
}

const TAG = new RegExp(`^[a-z0-9._:-]{1,${RULES.tagMaxLen}}$`);

export type Field = keyof FormValues;

export interface Validation {
  /** Errors by field: saving is refused while any is there. */
  errors: Partial<Record<Field, string>>;
  /** Warnings: saving is allowed. */
  warnings: Partial<Record<Field, string>>;
}

const NAME = new RegExp(`^[A-Za-z0-9._][A-Za-z0-9._-]{0,${RULES.nameMaxLen - 1}}$`);
const HEX64 = /^[0-9a-fA-F]{64}$/;

/** The core's rule (`account::is_loopback_host`): its names, 127.0.0.0/8 and ::1. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return RULES.loopbackNames.includes(h) || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The fingerprint as 64 hex digits, from what the core accepts: openssl's `AB:CD:…` or its
 * whole `sha256 Fingerprint=…` line, a `sha256:` prefix, or hex with `:`, `-` or spaces.
 */
export function normalizeFingerprint(text: string): string | null {
  let t = text.trim();
  const eq = t.indexOf("=");
  if (eq >= 0) {
    if (!t.slice(0, eq).toLowerCase().includes("sha256")) return null;
    t = t.slice(eq + 1);
  } else if (/^sha256:/i.test(t)) {
    t = t.slice("sha256:".length);
  }
  t = t.replace(/[:\s-]/g, "");
  return HEX64.test(t) ? t.toUpperCase() : null;
}

/** Bytes of UTF-8, as the backend counts a secret's size. */
function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

function integer(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Checks the form. `editing`: the secret may stay empty (the stored one is kept).
 */
export function validate(v: FormValues, existingNames: string[], editing = false): Validation {
  const errors: Validation["errors"] = {};
  const warnings: Validation["warnings"] = {};
  const p = provider(v.provider);

  const name = v.name.trim();
  if (!name) errors.name = "Give the account a name.";
  else if (!NAME.test(name))
    errors.name = `Use 1 to ${RULES.nameMaxLen} letters, digits, '.', '_' or '-', not starting with '-'.`;
  else if (existingNames.includes(name)) errors.name = `An account named ${name} exists already.`;

  const oauth = v.provider === "oauth2";
  const typedEndpoints = oauth && v.tokenEndpoint.trim() !== "";
  const urlText = v.url.trim();
  if (!urlText) {
    if (!typedEndpoints)
      errors.url = oauth
        ? `Enter the issuer URL, e.g. ${p.exampleUrl}, or the token endpoint below.`
        : `Enter the API's address, e.g. ${p.exampleUrl}.`;
  } else {
    let url: URL | null = null;
    try {
      url = new URL(urlText);
    } catch {
      errors.url = `Not a URL: write it like ${p.exampleUrl}.`;
    }
    if (url) {
      if (url.protocol !== "https:" && url.protocol !== "http:") {
        errors.url = "Use an https:// (or http://) address.";
      } else if (url.username || url.password) {
        errors.url = "Leave the user name and password out of the URL: use the fields below.";
      } else if (url.search || url.hash || urlText.includes("?") || urlText.includes("#")) {
        errors.url = "The base URL takes no query or fragment.";
      } else if (url.protocol === "http:" && !isLoopback(url.hostname)) {
        if (v.allowPlainHttp)
          warnings.url =
            "Plain HTTP to another machine: your password and tokens travel unencrypted.";
        else
          errors.url =
            'Plain HTTP to another machine would carry your password and tokens unencrypted: use https, or tick "Allow plain HTTP".';
      } else if (url.protocol === "https:" && !url.port && p.defaultPort !== 443) {
        warnings.url = `${p.label} usually listens on port ${p.defaultPort} (e.g. ${p.exampleUrl}).`;
      }
    }
  }

  if (oauth) {
    oauthChecks(v, errors, editing);
    return finish(v, p, errors, warnings);
  }
  if (!p.secrets.includes(v.secretKind)) {
    errors.secretKind = `${p.label} cannot be set up with this kind of secret.`;
  }
  // A password logs in with a user name; when editing without a new secret, the stored
  // credentials stay as they are and need none.
  const needsUser = v.secretKind === "password" && (!editing || v.secret !== "");
  if (needsUser && p.usernameLabel && !v.username.trim()) {
    errors.username = `Enter the ${p.usernameLabel.toLowerCase()} to log in with.`;
  }
  if (v.secret === "") {
    if (!editing) errors.secret = "Enter the secret to log in with; it goes to the keychain only.";
  } else if (/[\r\n]/.test(v.secret) || utf8Bytes(v.secret) > RULES.secretMaxBytes) {
    errors.secret = `The secret must be one line of at most ${RULES.secretMaxBytes / 1024} KiB.`;
  }

  return finish(v, p, errors, warnings);
}

/** An OAuth 2.0 account's own fields: the client id, the secret its grant and client
 * authentication need, and typed endpoints (the core's `OAuthRequest::settle` checks again). */
function oauthChecks(v: FormValues, errors: Validation["errors"], editing: boolean): void {
  if (editing) return;
  if (!v.clientId.trim()) errors.clientId = "Enter the client id the server registered.";
  const secret = v.secret;
  if (v.grant === "client-credentials" && secret === "") {
    errors.secret = "A service account logs in with its client secret.";
  } else if (secret !== "" && v.clientAuth === "none") {
    errors.secret = "A public client sends no secret: leave it empty, or choose how it is sent.";
  } else if (
    secret === "" &&
    (v.clientAuth === "client_secret_basic" || v.clientAuth === "client_secret_post")
  ) {
    errors.secret = "This client authentication sends the client secret: enter it.";
  } else if (/[\r\n]/.test(secret) || utf8Bytes(secret) > RULES.secretMaxBytes) {
    errors.secret = `The secret must be one line of at most ${RULES.secretMaxBytes / 1024} KiB.`;
  }
  const endpoint = (field: Field, text: string) => {
    const t = text.trim();
    if (!t) return;
    try {
      const u = new URL(t);
      if (u.protocol !== "https:" && u.protocol !== "http:") errors[field] = "An https:// address.";
    } catch {
      errors[field] = "Not a URL.";
    }
  };
  endpoint("tokenEndpoint", v.tokenEndpoint);
  endpoint("authorizationEndpoint", v.authorizationEndpoint);
  endpoint("deviceEndpoint", v.deviceEndpoint);
  endpoint("revocationEndpoint", v.revocationEndpoint);
  if (v.tokenEndpoint.trim()) {
    if (v.grant === "authorization-code" && !v.authorizationEndpoint.trim())
      errors.authorizationEndpoint = "A sign-in in the browser needs the authorization endpoint.";
    if (v.grant === "device-code" && !v.deviceEndpoint.trim())
      errors.deviceEndpoint = "A device sign-in needs the device authorization endpoint.";
  }
  if (/["\\]/.test(v.scopes)) errors.scopes = "Scopes are words separated by spaces.";
}

/** The checks every API's form has: tags, lifetime, lead, trust. */
function finish(
  v: FormValues,
  p: ReturnType<typeof provider>,
  errors: Validation["errors"],
  warnings: Validation["warnings"],
): Validation {
  const badTag = parseTags(v.tags).find((t) => !TAG.test(t));
  if (badTag)
    errors.tags = `Tag "${badTag}": use up to ${RULES.tagMaxLen} of a-z, 0-9, "-", "_", ".", ":".`;
  else if (parseTags(v.tags).length > RULES.maxTags) errors.tags = `At most ${RULES.maxTags} tags.`;
  if (p.hasTtl && v.ttl.trim()) {
    const ttl = integer(v.ttl);
    if (ttl === null || ttl < RULES.ttlMinSecs || ttl > RULES.ttlMaxSecs)
      errors.ttl = `Between ${RULES.ttlMinSecs} and ${RULES.ttlMaxSecs} seconds.`;
  }
  if (v.refreshLead.trim()) {
    const lead = integer(v.refreshLead);
    if (lead === null || lead > RULES.refreshLeadMaxSecs)
      errors.refreshLead = `Seconds before expiry, at most ${RULES.refreshLeadMaxSecs}.`;
  }
  if (v.trustCert.trim() && !normalizeFingerprint(v.trustCert)) {
    errors.trustCert = "A SHA-256 fingerprint: 64 hex digits, with or without colons.";
  }
  if (v.insecure) {
    warnings.insecure =
      "Any certificate will be accepted, even an attacker's. Prefer trusting this server's certificate.";
  }
  return { errors, warnings };
}

export function isValid(v: Validation): boolean {
  return Object.keys(v.errors).length === 0;
}
