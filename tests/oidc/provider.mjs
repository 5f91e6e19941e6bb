// A certified OpenID Provider (panva's oidc-provider, OpenID Certified) on loopback, configured
// for TokenKeeper's tests: what a token manager needs, every step drivable over plain HTTP.
//
//   node provider.mjs [PORT]        PORT, or $OIDC_PORT, or 0 (the system picks one)
//
// Prints one JSON line on stdout when it listens, and nothing else on stdout:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT,"pid":PID,...}
// Everything else (oidc-provider's warnings, the request log with OIDC_DEBUG=1) goes to stderr.
// Stops on SIGTERM/SIGINT, and when its stdin closes if OIDC_EXIT_ON_STDIN_EOF=1 (a test that
// dies then takes the server with it).
//
// Environment (seconds unless said):
//   OIDC_PORT                   the port (argv wins)
//   OIDC_ACCESS_TTL=30          access tokens of every grant but client_credentials
//   OIDC_CLIENT_CREDENTIALS_TTL=OIDC_ACCESS_TTL   client_credentials access tokens
//   OIDC_REFRESH_TTL=3600       refresh tokens (each rotated one gets a full new lifetime)
//   OIDC_ID_TTL=300             id tokens
//   OIDC_DEVICE_TTL=600         device codes; OIDC_CODE_TTL=60 authorization codes
//   OIDC_GRANT_TTL=1209600      grants (a refresh token never outlives its grant)
//   OIDC_ROTATE=always          refresh token rotation: always | never | default (oidc-provider's
//                               own rule: public clients always, confidential ones past 70 % of
//                               the refresh token's lifetime)
//   OIDC_AUTO_LOGIN=alice       the interaction pages log this account in and consent at once,
//                               without showing a form; empty: show the HTML login and consent
//                               forms (which plain HTTP can submit too)
//   OIDC_TEST_ENDPOINTS=1       the /test/ control endpoints (0: off)
//   OIDC_DEBUG=1                one line per request on stderr
//   OIDC_KEY_FILE               the signing key's JWK file: read when it exists, else made and
//                               written there (servers started together share one key)
//
// Fixed clients (see CLIENTS below), accounts (USERS) and resource indicators (RESOURCES).
// docs/OIDC-PLAN.md tells what each endpoint answers.

import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const env = process.env;
const num = (name, fallback) => {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not ${v}`);
  return n;
};

// What the test can change while the server runs (POST /test/settings).
const settings = {
  accessTtl: num('OIDC_ACCESS_TTL', 30),
  clientCredentialsTtl: num('OIDC_CLIENT_CREDENTIALS_TTL', num('OIDC_ACCESS_TTL', 30)),
  refreshTtl: num('OIDC_REFRESH_TTL', 3600),
  idTtl: num('OIDC_ID_TTL', 300),
  deviceTtl: num('OIDC_DEVICE_TTL', 600),
  codeTtl: num('OIDC_CODE_TTL', 60),
  grantTtl: num('OIDC_GRANT_TTL', 14 * 24 * 3600),
  rotate: env.OIDC_ROTATE || 'always',
  autoLogin: env.OIDC_AUTO_LOGIN ?? 'alice',
  // Added to the server's clock (Date.now), in seconds: POST /test/clock.
  clockOffset: 0,
  // Accounts that no longer exist: their refresh tokens then fail with invalid_grant.
  disabled: [],
};
if (!['always', 'never', 'default'].includes(settings.rotate)) {
  throw new Error(`OIDC_ROTATE must be always, never or default, not ${settings.rotate}`);
}
const testEndpoints = env.OIDC_TEST_ENDPOINTS !== '0';
const debug = env.OIDC_DEBUG === '1';

// The server's clock, which /test/clock moves (oidc-provider reads Date.now everywhere).
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + settings.clockOffset * 1000;
const epoch = () => Math.floor(Date.now() / 1000);

const USERS = {
  alice: { password: 'alice-password', name: 'Alice Liddell', email: 'alice@example.test' },
  bob: { password: 'bob-password', name: 'Bob Builder', email: 'bob@example.test' },
};

// Redirect URIs: a native client's loopback port may be any (RFC 8252 §7.3; oidc-provider
// compares them without the port for application_type native).
const REDIRECTS = ['http://127.0.0.1/callback', 'http://[::1]/callback'];
const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

const CLIENTS = [
  {
    // The public client: a desktop app without a secret. PKCE (S256) is required.
    client_id: 'tk-public',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: REDIRECTS,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token', DEVICE],
  },
  {
    // A confidential client authenticating with HTTP Basic (RFC 6749 §2.3.1).
    client_id: 'tk-basic',
    client_secret: 'tk-basic-secret',
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: REDIRECTS,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE],
  },
  {
    // The same, with client_id and client_secret in the form body.
    client_id: 'tk-post',
    client_secret: 'tk-post-secret',
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: REDIRECTS,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE],
  },
  {
    // A secret with the characters that RFC 6749 §2.3.1's form-urlencoding inside Basic is for.
    client_id: 'tk-special',
    client_secret: 'a:b+c/d%e f&g=h',
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: REDIRECTS,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
];

const SCOPES = ['openid', 'offline_access', 'profile', 'email'];

// Resource indicators (RFC 8707): a `resource` parameter naming one of these gets an access
// token for it: a JWT (RFC 9068) or an opaque one. Without `resource` access tokens are opaque
// (for the userinfo endpoint). oidc-provider refuses to introspect or revoke a JWT access token
// (unsupported_token_type), so introspection checks need the opaque ones.
const RESOURCES = {
  'urn:tokenkeeper:jwt-api': { format: 'jwt', scope: 'api:read api:write' },
  'urn:tokenkeeper:opaque-api': { format: 'opaque', scope: 'api:read api:write' },
};

// A Map-backed adapter: nothing is evicted (oidc-provider's own memory adapter is an LRU of
// 1,000 entries), expiry follows the moved clock, and /test/revoke can list grants. Like that
// adapter it keeps an entry for its lifetime plus oidc-provider's clockTolerance (15 s), so
// a token just past its expiry is found and refused as expired (a device code: expired_token)
// rather than as unknown.
const KEEP_EXTRA_SECS = 15;
const store = new Map(); // "Model:id" -> { payload, expiresAt }
const index = new Map(); // "grant:id" | "userCode:x" | "sessionUid:x" -> Set of keys or one key
const alive = (entry) => entry && (entry.expiresAt === undefined || entry.expiresAt > Date.now());
class TestAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const expiresAt = typeof expiresIn === 'number'
      ? Date.now() + (expiresIn + KEEP_EXTRA_SECS) * 1000
      : undefined;
    store.set(key, { payload, expiresAt });
    if (payload.grantId) {
      const members = index.get(`grant:${payload.grantId}`) ?? new Set();
      members.add(key);
      index.set(`grant:${payload.grantId}`, members);
    }
    if (payload.userCode) index.set(`userCode:${payload.userCode}`, key);
    if (this.model === 'Session' && payload.uid) index.set(`sessionUid:${payload.uid}`, key);
  }

  async find(id) {
    const entry = store.get(this.key(id));
    return alive(entry) ? entry.payload : undefined;
  }

  async findByUserCode(userCode) {
    const entry = store.get(index.get(`userCode:${userCode}`));
    return alive(entry) ? entry.payload : undefined;
  }

  async findByUid(uid) {
    const entry = store.get(index.get(`sessionUid:${uid}`));
    return alive(entry) ? entry.payload : undefined;
  }

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = epoch();
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    const members = index.get(`grant:${grantId}`);
    if (!members) return;
    for (const key of members) {
      if (key.startsWith(`${this.model}:`)) {
        store.delete(key);
        members.delete(key);
      }
    }
  }
}

// The signing key (RS256 for id tokens and JWT access tokens): new at each start, or, with
// OIDC_KEY_FILE, read from that file, which the first server to start writes (a suite that
// starts a dozen servers at once on two busy cores then makes one 2048-bit key, not twelve).
function signingKey() {
  const file = env.OIDC_KEY_FILE;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  if (file) {
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(key), { mode: 0o600 });
    renameSync(tmp, file);
  }
  return key;
}
const rsa = signingKey();

function findAccount(_ctx, sub) {
  const user = USERS[sub];
  if (!user || settings.disabled.includes(sub)) return undefined;
  return {
    accountId: sub,
    async claims() {
      return { sub, name: user.name, email: user.email, email_verified: true };
    },
  };
}

function rotateRefreshToken(ctx) {
  if (settings.rotate === 'always') return true;
  if (settings.rotate === 'never') return false;
  // oidc-provider's default, copied.
  const { RefreshToken: token, Client: client } = ctx.oidc.entities;
  if (token.totalLifetime() >= 365.25 * 24 * 60 * 60) return false;
  if (client.clientAuthMethod === 'none' && !token.isSenderConstrained()) return true;
  return token.ttlPercentagePassed() >= 70;
}

function configuration() {
  return {
    adapter: TestAdapter,
    clients: CLIENTS,
    findAccount,
    jwks: { keys: [{ ...rsa, kid: 'tk-rs256', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    // PKCE: required for public clients (oidc-provider's default; S256 is the only method).
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    rotateRefreshToken,
    ttl: {
      AccessToken: () => settings.accessTtl,
      ClientCredentials: () => settings.clientCredentialsTtl,
      RefreshToken: () => settings.refreshTtl,
      IdToken: () => settings.idTtl,
      DeviceCode: () => settings.deviceTtl,
      AuthorizationCode: () => settings.codeTtl,
      Grant: () => settings.grantTtl,
      Interaction: () => 3600,
      Session: () => 14 * 24 * 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resource) => {
          const rs = RESOURCES[resource];
          if (!rs) throw new errors.InvalidTarget(`unknown resource indicator ${resource}`);
          return {
            audience: resource,
            scope: rs.scope,
            accessTokenFormat: rs.format,
            accessTokenTTL: settings.accessTtl,
            ...(rs.format === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
          };
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Something went wrong</h1>${Object.entries(out)
        .map(([k, v]) => `<p><b>${esc(k)}</b>: <span class="${esc(k)}">${esc(v)}</span></p>`)
        .join('')}`);
    },
  };
}

// ---- small helpers -------------------------------------------------------------------------

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>\n<body>${body}</body></html>\n`;
}

async function readBody(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if ((ctx.get('content-type') || '').includes('application/json')) {
    return text ? JSON.parse(text) : {};
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function json(ctx, status, body) {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = body;
}

// ---- interactions: login and consent -------------------------------------------------------
// GET /interaction/:uid shows the login form (prompt "login") or the consent form (prompt
// "consent"); with settings.autoLogin set it completes either at once and redirects (303) back
// to the authorization endpoint, as a person pressing the buttons would.
// POST /interaction/:uid/login   login=alice&password=alice-password
// POST /interaction/:uid/confirm (no fields)
// GET  /interaction/:uid/abort   → access_denied at the redirect_uri

async function consent(provider, details) {
  const { prompt, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const d = prompt.details;
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  if (d.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  return { consent: { grantId: await grant.save() } };
}

function loginForm(uid, params, message) {
  return page('Sign-in', `<h1>Sign in</h1>
<p>to <b>${esc(params.client_id)}</b></p>
${message ? `<p class="error">${esc(message)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" id="login">
<input type="text" name="login" placeholder="user name" autofocus>
<input type="password" name="password" placeholder="password">
<button type="submit">Sign in</button>
</form>
<a href="/interaction/${esc(uid)}/abort">Cancel</a>`);
}

function consentForm(uid, params, details) {
  const scopes = [
    ...(details.missingOIDCScope ?? []),
    ...Object.values(details.missingResourceScopes ?? {}).flat(),
  ];
  return page('Authorize', `<h1>Authorize</h1>
<p><b>${esc(params.client_id)}</b> asks for: <span class="scopes">${esc(scopes.join(' '))}</span></p>
<form method="post" action="/interaction/${esc(uid)}/confirm" id="consent">
<button type="submit">Allow</button>
</form>
<a href="/interaction/${esc(uid)}/abort">Cancel</a>`);
}

async function interactions(provider, ctx, next) {
  const m = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(ctx.path);
  if (!m) return next();
  const [, uid, action] = m;
  ctx.set('cache-control', 'no-store');
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>No such sign-in</h1><p class="error">${esc(err.message)}</p>`);
    return undefined;
  }
  if (details.uid !== uid) {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page('Error', '<h1>This sign-in belongs to another browser</h1>');
    return undefined;
  }
  const { prompt, params } = details;
  const finish = (result, merge) =>
    provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });

  if (action === 'abort') {
    return finish({ error: 'access_denied', error_description: 'End-User aborted interaction' }, false);
  }

  if (ctx.method === 'GET' && !action) {
    const auto = settings.autoLogin;
    if (auto && prompt.name === 'login') {
      return finish({ login: { accountId: auto } }, false);
    }
    if (auto && prompt.name === 'consent') {
      return finish(await consent(provider, details), true);
    }
    ctx.type = 'html';
    ctx.body = prompt.name === 'login'
      ? loginForm(uid, params)
      : consentForm(uid, params, prompt.details);
    return undefined;
  }

  if (ctx.method === 'POST' && action === 'login' && prompt.name === 'login') {
    const body = await readBody(ctx);
    const user = USERS[body.login];
    if (!user || user.password !== body.password || settings.disabled.includes(body.login)) {
      ctx.status = 200; // as most real login pages: the form again, with a message
      ctx.type = 'html';
      ctx.body = loginForm(uid, params, 'Invalid user name or password');
      return undefined;
    }
    return finish({ login: { accountId: body.login } }, false);
  }

  if (ctx.method === 'POST' && action === 'confirm' && prompt.name === 'consent') {
    await readBody(ctx);
    return finish(await consent(provider, details), true);
  }

  ctx.status = 400;
  ctx.type = 'html';
  ctx.body = page('Error', `<h1>Unexpected step</h1><p>prompt ${esc(prompt.name)}, ${esc(ctx.method)} ${esc(action ?? '')}</p>`);
  return undefined;
}

// ---- test control endpoints ----------------------------------------------------------------
// GET  /test/settings                  the settings (JSON)
// POST /test/settings {...}            changes some: accessTtl, clientCredentialsTtl,
//                                      refreshTtl, idTtl, deviceTtl, codeTtl, grantTtl, rotate,
//                                      autoLogin, disabled (list of account ids)
// POST /test/clock {"advance":S} | {"offset":S}   moves the server's clock
// POST /test/device {"user_code":"XXXX-XXXX","account":"alice","action":"approve"|"deny"}
// POST /test/revoke {"account":"alice"?, "client_id":"tk-public"?}  revokes every matching
//                                      grant (its access and refresh tokens) and, for a
//                                      client_id, its client_credentials tokens
// GET  /test/state                     counts of what the store holds

async function approveDevice(provider, body) {
  const userCode = String(body.user_code ?? '').toUpperCase().replace(/\W/g, '');
  const code = await provider.DeviceCode.findByUserCode(userCode);
  if (!code) return [404, { error: 'not_found', user_code: body.user_code }];
  if (code.accountId || code.error) return [409, { error: 'already_used' }];
  if (body.action === 'deny') {
    Object.assign(code, { error: 'access_denied', errorDescription: 'End-User aborted interaction' });
    await code.save();
    return [200, { denied: true }];
  }
  const accountId = body.account ?? 'alice';
  if (!USERS[accountId]) return [400, { error: 'unknown_account' }];
  const grant = new provider.Grant({ accountId, clientId: code.clientId });
  const requested = (code.params.scope ?? '').split(' ').filter(Boolean);
  const oidc = requested.filter((s) => SCOPES.includes(s));
  grant.addOIDCScope(oidc.join(' '));
  let scope = oidc;
  let resource;
  if (code.params.resource) {
    resource = code.params.resource;
    const rs = RESOURCES[resource];
    if (!rs) return [400, { error: 'invalid_target' }];
    const rsScopes = requested.filter((s) => rs.scope.split(' ').includes(s));
    grant.addResourceScope(resource, rsScopes.join(' '));
    scope = [...oidc, ...rsScopes];
  }
  Object.assign(code, {
    accountId,
    authTime: epoch(),
    grantId: await grant.save(),
    scope: scope.join(' '),
    ...(resource ? { resource } : {}),
  });
  await code.save();
  return [200, { approved: true, account: accountId, scope: code.scope }];
}

async function revokeGrants(provider, body) {
  let grants = 0;
  let tokens = 0;
  for (const [key, entry] of [...store]) {
    if (!key.startsWith('Grant:') || !alive(entry)) continue;
    const g = entry.payload;
    if (body.account && g.accountId !== body.account) continue;
    if (body.client_id && g.clientId !== body.client_id) continue;
    const id = key.slice('Grant:'.length);
    const members = index.get(`grant:${id}`) ?? new Set();
    for (const k of members) tokens += store.delete(k) ? 1 : 0;
    index.delete(`grant:${id}`);
    store.delete(key);
    grants += 1;
  }
  if (body.client_id) {
    for (const [key, entry] of [...store]) {
      if (key.startsWith('ClientCredentials:') && entry.payload.clientId === body.client_id) {
        store.delete(key);
        tokens += 1;
      }
    }
  }
  return [200, { revoked_grants: grants, revoked_tokens: tokens }];
}

async function control(provider, ctx, next) {
  if (!ctx.path.startsWith('/test/')) return next();
  if (!testEndpoints) return next();
  ctx.set('cache-control', 'no-store');
  try {
    if (ctx.path === '/test/settings' && ctx.method === 'GET') return json(ctx, 200, settings);
    if (ctx.path === '/test/state' && ctx.method === 'GET') {
      const counts = {};
      for (const [key, entry] of store) {
        if (!alive(entry)) continue;
        const model = key.slice(0, key.indexOf(':'));
        counts[model] = (counts[model] ?? 0) + 1;
      }
      return json(ctx, 200, { now: epoch(), clockOffset: settings.clockOffset, counts });
    }
    if (ctx.method !== 'POST') return json(ctx, 405, { error: 'method_not_allowed' });
    const body = await readBody(ctx);
    switch (ctx.path) {
      case '/test/settings': {
        for (const [k, v] of Object.entries(body)) {
          if (!(k in settings) || k === 'clockOffset') {
            return json(ctx, 400, { error: 'unknown_setting', setting: k });
          }
          settings[k] = v;
        }
        return json(ctx, 200, settings);
      }
      case '/test/clock': {
        if (typeof body.offset === 'number') settings.clockOffset = body.offset;
        if (typeof body.advance === 'number') settings.clockOffset += body.advance;
        return json(ctx, 200, { now: epoch(), clockOffset: settings.clockOffset });
      }
      case '/test/device': {
        const [status, out] = await approveDevice(provider, body);
        return json(ctx, status, out);
      }
      case '/test/revoke': {
        const [status, out] = await revokeGrants(provider, body);
        return json(ctx, status, out);
      }
      default:
        return json(ctx, 404, { error: 'not_found' });
    }
  } catch (err) {
    return json(ctx, 500, { error: 'test_endpoint_failed', message: err.message });
  }
}

// ---- start ---------------------------------------------------------------------------------

async function main() {
  const port = Number(process.argv[2] ?? env.OIDC_PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${process.argv[2]}`);

  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = server.address().port;
  const issuer = `http://127.0.0.1:${actual}`;

  const provider = new Provider(issuer, configuration());
  // One stderr line per refused request, with oidc-provider's reason (error_detail), which the
  // client never sees: its answer says only e.g. "grant request is invalid".
  provider.on('server_error', (_ctx, err) => console.error('oidc: server_error', err));
  for (const event of ['authorization.error', 'grant.error', 'introspection.error',
    'revocation.error', 'userinfo.error', 'device_authorization.error',
    'code_verification.error', 'device_resume.error', 'discovery.error', 'jwks.error']) {
    provider.on(event, (ctx, err) => {
      const client = ctx?.oidc?.client?.clientId ?? '-';
      console.error(`oidc: ${event} client=${client} ${err.error ?? err.message}` +
        ` (${err.error_detail ?? err.error_description ?? ''})`);
    });
  }
  provider.on('grant.revoked', (_ctx, grantId) => console.error(`oidc: grant.revoked ${grantId}`));
  if (debug) {
    provider.use(async (ctx, next) => {
      const started = realNow();
      await next();
      console.error(`oidc: ${ctx.method} ${ctx.originalUrl} -> ${ctx.status} (${realNow() - started} ms)`);
    });
  }
  // The Date header from the moved clock too (Node's own ignores Date.now), so that a client
  // can see the skew as it would with a real server whose clock is off.
  provider.use((ctx, next) => {
    ctx.set('date', new Date(Date.now()).toUTCString());
    return next();
  });
  provider.use((ctx, next) => control(provider, ctx, next));
  provider.use((ctx, next) => interactions(provider, ctx, next));

  server.on('request', provider.callback());

  const stop = () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (env.OIDC_EXIT_ON_STDIN_EOF === '1') {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }

  process.stdout.write(`${JSON.stringify({
    issuer,
    port: actual,
    pid: process.pid,
    discovery: `${issuer}/.well-known/openid-configuration`,
    clients: CLIENTS.map(({ client_id: id, client_secret: secret, token_endpoint_auth_method: m }) => ({
      client_id: id,
      client_secret: secret,
      token_endpoint_auth_method: m,
    })),
    users: Object.fromEntries(Object.entries(USERS).map(([k, v]) => [k, v.password])),
    resources: Object.keys(RESOURCES),
    settings,
  })}\n`);
}

main().catch((err) => {
  console.error(`oidc: failed to start: ${err.stack ?? err}`);
  process.exit(1);
});
