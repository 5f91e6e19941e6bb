import { describe, expect, it } from "vitest";
import type { ProviderKind } from "../../src/bindings/ProviderKind";
import { PROVIDERS, provider, typedSecrets } from "../../src/providers";
import {
  type FormValues,
  isValid,
  NO_OAUTH,
  normalizeFingerprint,
  parseTags,
  validate,
} from "../../src/validate";

function form(p: ProviderKind, over: Partial<FormValues> = {}): FormValues {
  const info = provider(p);
  return {
    name: "prod",
    provider: p,
    url: info.exampleUrl,
    username: "alice@example.com",
    secretKind: info.secrets[0],
    secret: "s3cret",
    ttl: "",
    refreshLead: "",
    caCert: "",
    trustCert: "",
    insecure: false,
    allowPlainHttp: false,
    tags: "",
    ...NO_OAUTH,
    ...(p === "oauth2" ? { clientId: "tokenkeeper", secret: "" } : {}),
    ...over,
  };
}

describe("the add form, per provider", () => {
  it("offers every API, OAuth 2.0 last; its typed secrets leave the sign-in out", () => {
    expect(PROVIDERS.map((p) => p.id)).toEqual([
      "redis-enterprise",
      "ece",
      "smartling",
      "generic-jwt",
      "jwt-auth-pro",
      "oauth2",
    ]);
    const oauth = provider("oauth2");
    expect(PROVIDERS).toContain(oauth);
    expect(oauth.label).toBe("OAuth 2.0 / OpenID Connect");
    expect(oauth.passwordLabel).toBe("Client secret");
    expect(typedSecrets(oauth)).toEqual(["password", "refresh_token"]);
  });

  it("accepts each provider's usual setup", () => {
    for (const p of PROVIDERS) {
      const v = validate(form(p.id), []);
      expect(v.errors, p.id).toEqual({});
      expect(isValid(v)).toBe(true);
    }
  });

  it("asks for a user name only where the API logs in with one", () => {
    expect(validate(form("redis-enterprise", { username: "" }), []).errors.username).toMatch(
      /user name or email/,
    );
    expect(validate(form("smartling", { username: " " }), []).errors.username).toMatch(
      /user identifier/,
    );
    expect(validate(form("generic-jwt", { username: "" }), []).errors.username).toMatch(
      /user name/,
    );
    expect(
      validate(form("generic-jwt", { username: "", secretKind: "refresh_token" }), []).errors
        .username,
    ).toBeUndefined();
    expect(
      validate(form("smartling", { username: "", secretKind: "refresh_token" }), []).errors
        .username,
    ).toBeUndefined();
  });

  it("takes only the kinds of secret each API accepts", () => {
    expect(
      validate(form("generic-jwt", { secretKind: "password" }), []).errors.secretKind,
    ).toBeUndefined();
    expect(
      validate(form("generic-jwt", { secretKind: "access_token" }), []).errors.secretKind,
    ).toBeDefined();
    expect(
      validate(form("redis-enterprise", { secretKind: "refresh_token" }), []).errors.secretKind,
    ).toBeDefined();
    expect(
      validate(form("redis-enterprise", { secretKind: "access_token" }), []).errors.secretKind,
    ).toBeUndefined();
    expect(
      validate(form("ece", { secretKind: "refresh_token" }), []).errors.secretKind,
    ).toBeDefined();
    expect(
      validate(form("jwt-auth-pro", { secretKind: "refresh_token" }), []).errors.secretKind,
    ).toBeUndefined();
  });

  it("checks the ttl only for Redis Enterprise, within 1..86400", () => {
    expect(validate(form("redis-enterprise", { ttl: "0" }), []).errors.ttl).toBeDefined();
    expect(validate(form("redis-enterprise", { ttl: "86401" }), []).errors.ttl).toBeDefined();
    expect(validate(form("redis-enterprise", { ttl: "12.5" }), []).errors.ttl).toBeDefined();
    expect(validate(form("redis-enterprise", { ttl: "3600" }), []).errors.ttl).toBeUndefined();
    expect(validate(form("smartling", { ttl: "0" }), []).errors.ttl).toBeUndefined();
  });

  it("takes a refresh lead up to a day, the core's limit", () => {
    expect(
      validate(form("smartling", { refreshLead: "86400" }), []).errors.refreshLead,
    ).toBeUndefined();
    expect(validate(form("smartling", { refreshLead: "86401" }), []).errors.refreshLead).toMatch(
      /at most 86400/,
    );
    expect(validate(form("smartling", { refreshLead: "-5" }), []).errors.refreshLead).toBeDefined();
  });

  it("names bad names and taken names", () => {
    expect(validate(form("ece", { name: "" }), []).errors.name).toBeDefined();
    expect(validate(form("ece", { name: "has space" }), []).errors.name).toBeDefined();
    expect(validate(form("ece", { name: "-flag" }), []).errors.name).toBeDefined();
    expect(validate(form("ece", { name: "x".repeat(65) }), []).errors.name).toBeDefined();
    expect(validate(form("ece", { name: "prod" }), ["prod"]).errors.name).toMatch(/exists/);
  });

  it("refuses URLs with credentials, queries or other schemes", () => {
    expect(validate(form("ece", { url: "https://u:p@h:12443" }), []).errors.url).toMatch(
      /user name and password/,
    );
    expect(validate(form("ece", { url: "https://h:12443?x=1" }), []).errors.url).toBeDefined();
    expect(validate(form("ece", { url: "ftp://h" }), []).errors.url).toBeDefined();
    expect(validate(form("ece", { url: "not a url" }), []).errors.url).toBeDefined();
    expect(validate(form("ece", { url: "" }), []).errors.url).toMatch(/12443/);
  });

  it("refuses plain HTTP off loopback unless allowed, and warns of a missing usual port", () => {
    const offLoopback = validate(form("generic-jwt", { url: "http://auth.example.com" }), []);
    expect(offLoopback.errors.url).toMatch(/Allow plain HTTP/);
    expect(isValid(offLoopback)).toBe(false);
    const allowed = validate(
      form("generic-jwt", { url: "http://auth.example.com", allowPlainHttp: true }),
      [],
    );
    expect(allowed.warnings.url).toMatch(/unencrypted/);
    expect(isValid(allowed)).toBe(true);
    expect(
      validate(form("generic-jwt", { url: "http://localhost:8080" }), []).warnings.url,
    ).toBeUndefined();
    expect(
      validate(form("generic-jwt", { url: "http://127.0.0.1:8080" }), []).warnings.url,
    ).toBeUndefined();
    expect(
      validate(form("generic-jwt", { url: "http://[::1]:8080" }), []).warnings.url,
    ).toBeUndefined();
    expect(
      validate(form("redis-enterprise", { url: "https://cluster.example.com" }), []).warnings.url,
    ).toMatch(/9443/);
    expect(
      validate(form("smartling", { url: "https://api.smartling.com" }), []).warnings.url,
    ).toBeUndefined();
  });

  it("needs a secret when adding, not when editing, and takes it exactly as typed", () => {
    expect(validate(form("ece", { secret: "" }), []).errors.secret).toBeDefined();
    expect(validate(form("ece", { secret: "" }), [], true).errors.secret).toBeUndefined();
    expect(validate(form("ece", { secret: "  spaced  " }), []).errors.secret).toBeUndefined();
    // Editing settings only: no user name needed for the stored credentials.
    expect(
      validate(form("redis-enterprise", { secret: "", username: "" }), [], true).errors.username,
    ).toBeUndefined();
    expect(
      validate(form("redis-enterprise", { secret: "pw", username: "" }), [], true).errors.username,
    ).toBeDefined();
  });

  it("counts a secret's size in UTF-8 bytes, as the backend does", () => {
    expect(validate(form("ece", { secret: "é".repeat(8192) }), []).errors.secret).toBeUndefined();
    expect(validate(form("ece", { secret: "é".repeat(8193) }), []).errors.secret).toMatch(/16 KiB/);
  });

  it("refuses an empty query or fragment the URL parser would drop", () => {
    expect(validate(form("ece", { url: "https://h:12443/?" }), []).errors.url).toBeDefined();
    expect(validate(form("ece", { url: "https://h:12443/#" }), []).errors.url).toBeDefined();
  });

  it("reads fingerprints as openssl prints them or as hex, and warns when verification is off", () => {
    const hex = "ab".repeat(32);
    const pairs = (text: string) => text.match(/../g) ?? [];
    expect(normalizeFingerprint(hex)).toBe(hex.toUpperCase());
    const colons = pairs(hex.toUpperCase()).join(":");
    expect(normalizeFingerprint(`sha256 Fingerprint=${colons}`)).toBe(hex.toUpperCase());
    expect(normalizeFingerprint("AB:CD")).toBeNull();
    expect(normalizeFingerprint(`sha256:${hex}`)).toBe(hex.toUpperCase());
    expect(normalizeFingerprint(pairs(hex).join("-"))).toBe(hex.toUpperCase());
    expect(normalizeFingerprint(`sha1 Fingerprint=${colons}`)).toBeNull();
    expect(validate(form("ece", { trustCert: "AB:CD" }), []).errors.trustCert).toBeDefined();
    expect(validate(form("ece", { insecure: true }), []).warnings.insecure).toMatch(/attacker/);
  });
});

describe("an OAuth 2.0 account", () => {
  const errors = (over: Partial<FormValues>) => validate(form("oauth2", over), []).errors;

  it("starts from the issuer, or the token endpoint typed in its place", () => {
    expect(errors({})).toEqual({});
    expect(errors({ url: "" }).url).toMatch(/issuer URL/);
    expect(
      errors({
        url: "",
        tokenEndpoint: "https://id.example.com/token",
        authorizationEndpoint: "https://id.example.com/auth",
      }),
    ).toEqual({});
    expect(
      errors({ url: "", tokenEndpoint: "https://id.example.com/token" }).authorizationEndpoint,
    ).toMatch(/authorization endpoint/);
    expect(
      errors({ url: "", tokenEndpoint: "https://id.example.com/token", grant: "device-code" })
        .deviceEndpoint,
    ).toMatch(/device authorization endpoint/);
    expect(errors({ tokenEndpoint: "token" }).tokenEndpoint).toMatch(/Not a URL/);
  });

  it("needs the client id, and a secret exactly where the grant and client authentication send one", () => {
    expect(errors({ clientId: " " }).clientId).toMatch(/client id/);
    expect(errors({ grant: "client-credentials" }).secret).toMatch(/client secret/);
    expect(errors({ grant: "client-credentials", secret: "s" })).toEqual({});
    expect(errors({ clientAuth: "none", secret: "s" }).secret).toMatch(/public client/);
    expect(errors({ clientAuth: "client_secret_post" }).secret).toMatch(/enter it/);
    // Automatic: a secret is sent as the server prefers.
    expect(errors({ secret: "s" })).toEqual({});
    expect(errors({ username: "" }).username).toBeUndefined();
    expect(errors({ scopes: 'openid "x"' }).scopes).toMatch(/words/);
  });
});

describe("tags", () => {
  it("reads words separated by spaces or commas, lower-case, once each", () => {
    expect(parseTags(" Prod, client-a  prod,,EU:west.1 ")).toEqual([
      "prod",
      "client-a",
      "eu:west.1",
    ]);
    expect(parseTags("")).toEqual([]);
  });
  it("names a tag the core would refuse", () => {
    expect(validate(form("ece", { tags: "prod a/b" }), []).errors.tags).toMatch(/Tag "a\/b"/);
    expect(validate(form("ece", { tags: "prod client-a" }), []).errors.tags).toBeUndefined();
    const many = Array.from({ length: 17 }, (_, i) => `t${i}`).join(" ");
    expect(validate(form("ece", { tags: many }), []).errors.tags).toMatch(/16/);
  });
});
