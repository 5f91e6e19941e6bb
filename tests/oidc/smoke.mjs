// Proves tests/oidc/provider.mjs end to end with plain HTTP (Node's fetch, no browser, no other
// package): discovery, authorization code + PKCE, refresh with rotation and reuse detection,
// client credentials, the device flow, introspection, revocation and the errors a token manager
// must tell apart. Prints what each step returned; ends with "smoke: N passed, N failed".
//
//   node smoke.mjs            (exit 0 when every check passed)
//   SMOKE_QUIET=1 node smoke.mjs   only the checks and the closing line

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const quiet = process.env.SMOKE_QUIET === '1';
const started = Date.now();

let passed = 0;
let failed = 0;
function check(name, ok, extra) {
  if (ok) passed += 1;
  else failed += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && extra !== undefined ? `: ${JSON.stringify(extra)}` : ''}`);
  return ok;
}
function show(label, value) {
  if (!quiet) console.log(`     ${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}
function section(name) {
  console.log(`\n== ${name}`);
}

// ---- the server ------------------------------------------------------------------------------

const serverLog = [];
async function startProvider(env = {}) {
  const child = spawn(process.execPath, [join(here, 'provider.mjs'), '0'], {
    env: { ...process.env, OIDC_EXIT_ON_STDIN_EOF: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr }).on('line', (line) => serverLog.push(line));
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [line] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`provider.mjs exited (${code}) before it was ready:\n${serverLog.join('\n')}`);
    }),
  ]);
  clearTimeout(timer);
  return { child, ready: JSON.parse(line) };
}

// Lines the server logged since the last call (its reasons for refusing, see provider.mjs).
let logSeen = 0;
function serverSaid() {
  const out = serverLog.slice(logSeen).filter((l) => l.startsWith('oidc: '));
  logSeen = serverLog.length;
  return out;
}

// ---- HTTP with a cookie jar, no redirects followed -------------------------------------------

class Jar {
  cookies = new Map(); // name|path -> { name, value, path }

  take(url, res) {
    for (const header of res.headers.getSetCookie()) {
      const [pair, ...attrs] = header.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let gone = value === '';
      for (const a of attrs) {
        const [k, v] = a.split('=');
        if (k.toLowerCase() === 'path') path = v;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) gone = true;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) gone = true;
      }
      const key = `${name}|${path}`;
      if (gone) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

async function http(method, url, { form, json, headers = {}, jar, basic } = {}) {
  const h = { accept: 'application/json', ...headers };
  let body;
  if (form) {
    h['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(Object.entries(form).filter(([, v]) => v !== undefined)).toString();
  } else if (json) {
    h['content-type'] = 'application/json';
    body = JSON.stringify(json);
  }
  if (basic) {
    // RFC 6749 §2.3.1: each part form-urlencoded, then Basic.
    const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
    h.authorization = `Basic ${Buffer.from(`${enc(basic[0])}:${enc(basic[1])}`).toString('base64')}`;
  }
  if (jar) {
    const c = jar.header(url);
    if (c) h.cookie = c;
  }
  const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
  if (jar) jar.take(url, res);
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return {
    status: res.status,
    headers: res.headers,
    type: res.headers.get('content-type'),
    location: res.headers.get('location'),
    text,
    json: parsed,
  };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const decodeJwt = (jwt) => {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
};
const isJwt = (t) => typeof t === 'string' && t.split('.').length === 3;
function summary(tokens) {
  if (!tokens) return tokens;
  return {
    token_type: tokens.token_type,
    expires_in: tokens.expires_in,
    scope: tokens.scope,
    access_token: tokens.access_token ? `${isJwt(tokens.access_token) ? 'JWT' : 'opaque'}, ${tokens.access_token.length} chars` : undefined,
    refresh_token: tokens.refresh_token ? `yes, ${tokens.refresh_token.length} chars` : 'none',
    id_token: tokens.id_token ? 'yes' : 'none',
    other: Object.keys(tokens).filter((k) => !['token_type', 'expires_in', 'scope', 'access_token', 'refresh_token', 'id_token'].includes(k)),
  };
}
function hidden(html) {
  const out = {};
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name) out[name] = value ?? '';
  }
  return out;
}

// ---- the flows -------------------------------------------------------------------------------

let issuer;
let meta;
const redirectUri = 'http://127.0.0.1:53682/callback'; // nothing listens: the code is read from the Location

function pkce() {
  const verifier = b64url(randomBytes(32));
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

// Runs the authorization request and follows the server's redirects (with cookies) until one
// leaves the server for the redirect_uri. Returns its query and the hops.
async function authorize(params, jar = new Jar()) {
  let url = `${meta.authorization_endpoint}?${new URLSearchParams(params)}`;
  const hops = [];
  for (let i = 0; i < 12; i += 1) {
    const res = await http('GET', url, { jar, headers: { accept: 'text/html' } });
    hops.push(`${res.status} ${new URL(url).pathname}`);
    if (res.status < 300 || res.status >= 400) {
      return { hops, page: res };
    }
    const next = new URL(res.location, url);
    if (next.origin !== issuer) {
      return { hops, redirect: next, query: Object.fromEntries(next.searchParams) };
    }
    url = next.href;
  }
  throw new Error(`too many redirects: ${hops.join(' -> ')}`);
}

async function token(form, client) {
  const opts = { form: { ...form } };
  if (client?.method === 'basic') opts.basic = [client.id, client.secret];
  else if (client?.method === 'post') Object.assign(opts.form, { client_id: client.id, client_secret: client.secret });
  else if (client) opts.form.client_id = client.id;
  return http('POST', meta.token_endpoint, opts);
}

const PUBLIC = { id: 'tk-public' };
const BASIC = { id: 'tk-basic', secret: 'tk-basic-secret', method: 'basic' };
const POST = { id: 'tk-post', secret: 'tk-post-secret', method: 'post' };

async function introspect(tok, client = BASIC, hint) {
  const opts = { form: { token: tok, ...(hint ? { token_type_hint: hint } : {}) } };
  if (client.method === 'basic') opts.basic = [client.id, client.secret];
  else opts.form.client_id = client.id;
  return http('POST', meta.introspection_endpoint, opts);
}

async function codeFlow(client, { scope = 'openid offline_access profile email', prompt = 'consent', extra = {}, usePkce = true, jar } = {}) {
  const p = pkce();
  const state = b64url(randomBytes(12));
  const params = {
    client_id: client.id,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
    ...(scope.split(' ').includes('openid') ? { nonce: b64url(randomBytes(12)) } : {}),
    ...(prompt ? { prompt } : {}),
    ...(usePkce ? { code_challenge: p.challenge, code_challenge_method: 'S256' } : {}),
    ...extra,
  };
  const auth = await authorize(params, jar);
  return { ...auth, state, verifier: p.verifier };
}

async function exchange(client, flow, extra = {}) {
  return token({
    grant_type: 'authorization_code',
    code: flow.query.code,
    redirect_uri: redirectUri,
    code_verifier: flow.verifier,
    ...extra,
  }, client);
}

async function main() {
  const { child, ready } = await startProvider({ OIDC_ACCESS_TTL: '30', OIDC_REFRESH_TTL: '3600', OIDC_ID_TTL: '300' });
  issuer = ready.issuer;
  console.log(`provider ready: ${JSON.stringify({ issuer: ready.issuer, port: ready.port })} after ${Date.now() - started} ms`);
  try {
    await run();
  } finally {
    child.stdin.end();
    child.kill('SIGTERM');
  }
  if (!quiet) {
    section('the server\'s stderr (its reasons, which clients do not see)');
    for (const l of serverLog) console.log(`     ${l}`);
  }
  console.log(`\nsmoke: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.exitCode = failed ? 1 : 0;
}

async function run() {
  // -- discovery --------------------------------------------------------------------------------
  section('discovery');
  const disc = await http('GET', `${issuer}/.well-known/openid-configuration`);
  meta = disc.json;
  check('discovery 200 JSON with the issuer', disc.status === 200 && meta?.issuer === issuer, disc.status);
  show('endpoints', Object.fromEntries(Object.entries(meta).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri')));
  for (const k of ['grant_types_supported', 'token_endpoint_auth_methods_supported', 'code_challenge_methods_supported',
    'scopes_supported', 'response_types_supported', 'response_modes_supported', 'authorization_response_iss_parameter_supported',
    'introspection_endpoint_auth_methods_supported', 'revocation_endpoint_auth_methods_supported', 'id_token_signing_alg_values_supported',
    'dpop_signing_alg_values_supported', 'claims_supported', 'subject_types_supported']) {
    show(k, meta[k]);
  }
  check('discovery lists the device grant and endpoint', meta.grant_types_supported?.includes('urn:ietf:params:oauth:grant-type:device_code') && !!meta.device_authorization_endpoint);
  const rfc8414 = await http('GET', `${issuer}/.well-known/oauth-authorization-server`);
  show('GET /.well-known/oauth-authorization-server', `${rfc8414.status} ${rfc8414.text.slice(0, 120)}`);
  const jwks = await http('GET', meta.jwks_uri);
  show('jwks', jwks.json?.keys?.map((k) => ({ kty: k.kty, kid: k.kid, alg: k.alg, use: k.use })));

  // -- authorization code + PKCE, public client --------------------------------------------------
  section('authorization code + PKCE (tk-public), the browser step over plain HTTP');
  const jar = new Jar();
  const flow = await codeFlow(PUBLIC, { jar });
  show('hops', flow.hops.join(' -> '));
  show('redirect query', flow.query);
  check('redirect carries code, the same state and iss (RFC 9207)', !!flow.query?.code && flow.query.state === flow.state && flow.query.iss === issuer, flow.query ?? flow.page?.text);
  const t0 = await exchange(PUBLIC, flow);
  show('token answer', `${t0.status} ${t0.headers.get('cache-control')} / pragma ${t0.headers.get('pragma')}`);
  show('tokens', summary(t0.json));
  check('code exchanged: Bearer, expires_in 30, a refresh token (offline_access with prompt=consent)',
    t0.status === 200 && t0.json.token_type === 'Bearer' && t0.json.expires_in === 30 && !!t0.json.refresh_token, t0.json);
  const idt = decodeJwt(t0.json.id_token);
  show('id_token header', idt.header);
  show('id_token claims', idt.payload);
  show('id_token exp - iat', idt.payload.exp - idt.payload.iat);

  const ui = await http('GET', meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t0.json.access_token}` } });
  check('userinfo with the access token', ui.status === 200 && ui.json.sub === 'alice', ui.text);
  show('userinfo', ui.json);

  const intro0 = await introspect(t0.json.access_token, PUBLIC);
  show('introspection of its own access token by tk-public (auth none)', `${intro0.status} ${intro0.text}`);
  const intro1 = await introspect(t0.json.access_token, BASIC);
  check('introspection by tk-basic: active', intro1.status === 200 && intro1.json.active === true, intro1.text);
  show('introspection', intro1.json);
  const introRt = await introspect(t0.json.refresh_token, PUBLIC, 'refresh_token');
  show('introspection of the refresh token by tk-public', `${introRt.status} ${introRt.text}`);

  // -- refresh with rotation ----------------------------------------------------------------------
  section('refresh (tk-public), rotation on');
  const r1 = await token({ grant_type: 'refresh_token', refresh_token: t0.json.refresh_token }, PUBLIC);
  show('refresh 1', summary(r1.json));
  check('refresh 1 rotates: a new refresh token, a new access token',
    r1.status === 200 && r1.json.refresh_token && r1.json.refresh_token !== t0.json.refresh_token && r1.json.access_token !== t0.json.access_token, r1.json);
  const oldAt = await introspect(t0.json.access_token);
  show('the first access token after refresh 1 (introspection)', oldAt.json);
  const r2 = await token({ grant_type: 'refresh_token', refresh_token: r1.json.refresh_token }, PUBLIC);
  show('refresh 2', summary(r2.json));
  check('refresh 2 rotates again', r2.status === 200 && r2.json.refresh_token && r2.json.refresh_token !== r1.json.refresh_token, r2.json);
  serverSaid();
  const reuse = await token({ grant_type: 'refresh_token', refresh_token: t0.json.refresh_token }, PUBLIC);
  show('the first refresh token again', `${reuse.status} ${reuse.text}`);
  show('server said', serverSaid());
  check('a consumed refresh token: 400 invalid_grant', reuse.status === 400 && reuse.json?.error === 'invalid_grant', reuse.text);
  const afterReuse = await token({ grant_type: 'refresh_token', refresh_token: r2.json.refresh_token }, PUBLIC);
  show('the newest refresh token after the reuse', `${afterReuse.status} ${afterReuse.text}`);
  show('server said', serverSaid());
  check('reuse detection: the whole grant is revoked, the newest refresh token refused too',
    afterReuse.status === 400 && afterReuse.json?.error === 'invalid_grant', afterReuse.text);
  const atAfterReuse = await introspect(r2.json.access_token);
  check('reuse detection: the newest access token is inactive', atAfterReuse.json?.active === false, atAfterReuse.json);

  // -- offline_access rules -------------------------------------------------------------------
  section('when a refresh token is issued');
  const noPrompt = await codeFlow(PUBLIC, { prompt: null, jar });
  const tNoPrompt = await exchange(PUBLIC, noPrompt);
  show('offline_access without prompt=consent', { hops: noPrompt.hops.join(' -> '), ...summary(tNoPrompt.json) });
  check('offline_access without prompt=consent: dropped, no refresh token', tNoPrompt.status === 200 && !tNoPrompt.json.refresh_token, tNoPrompt.json);
  const noOffline = await codeFlow(PUBLIC, { scope: 'openid profile', jar });
  const tNoOffline = await exchange(PUBLIC, noOffline);
  show('prompt=consent without offline_access', summary(tNoOffline.json));
  check('no offline_access: no refresh token', tNoOffline.status === 200 && !tNoOffline.json.refresh_token, tNoOffline.json);
  const noOpenid = await codeFlow(PUBLIC, { scope: 'offline_access', jar });
  const tNoOpenid = await exchange(PUBLIC, noOpenid);
  show('offline_access without openid (plain OAuth 2.0)', `${noOpenid.hops.join(' -> ')} ${JSON.stringify(noOpenid.query ?? noOpenid.page?.text)} ${tNoOpenid.status} ${JSON.stringify(summary(tNoOpenid.json))}`);

  // -- PKCE and code errors ----------------------------------------------------------------------
  section('PKCE and authorization code errors');
  const noPkce = await codeFlow(PUBLIC, { usePkce: false, jar });
  show('tk-public without PKCE', { hops: noPkce.hops.join(' -> '), query: noPkce.query });
  check('tk-public without PKCE: invalid_request at the redirect_uri', noPkce.query?.error === 'invalid_request', noPkce.query);
  const badVerifier = await codeFlow(PUBLIC, { jar });
  const tBad = await exchange(PUBLIC, badVerifier, { code_verifier: b64url(randomBytes(32)) });
  show('wrong code_verifier', `${tBad.status} ${tBad.text}`);
  show('server said', serverSaid());
  check('wrong code_verifier: 400 invalid_grant', tBad.status === 400 && tBad.json?.error === 'invalid_grant');
  const replay = await codeFlow(PUBLIC, { jar });
  const tFirst = await exchange(PUBLIC, replay);
  const tReplay = await exchange(PUBLIC, replay);
  show('the same code twice', `${tReplay.status} ${tReplay.text}`);
  show('server said', serverSaid());
  const afterReplay = await introspect(tFirst.json.access_token);
  check('a replayed code: invalid_grant, and the tokens it gave are revoked', tReplay.json?.error === 'invalid_grant' && afterReplay.json?.active === false, afterReplay.json);
  const badRedirect = await codeFlow(PUBLIC, { extra: { redirect_uri: 'http://evil.example/callback' }, jar });
  show('unregistered redirect_uri', { hops: badRedirect.hops.join(' -> '), status: badRedirect.page?.status, type: badRedirect.page?.type, text: badRedirect.page?.text.replace(/\s+/g, ' ').slice(0, 300) });
  const loopPort = await codeFlow(PUBLIC, { extra: { redirect_uri: 'http://127.0.0.1:40001/callback' }, jar });
  check('a loopback redirect_uri with any port is accepted (native client, RFC 8252 §7.3)', !!loopPort.query?.code, loopPort.query);

  // -- confidential clients --------------------------------------------------------------------
  section('confidential clients: authorization code, refresh');
  for (const c of [BASIC, POST]) {
    const f = await codeFlow(c, { jar });
    const t = await exchange(c, f);
    show(`${c.id} code exchange`, summary(t.json));
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, c);
    show(`${c.id} refresh`, summary(r.json));
    check(`${c.id}: code + refresh, rotated`, t.status === 200 && r.status === 200 && r.json.refresh_token && r.json.refresh_token !== t.json.refresh_token, r.json);
  }
  const noPkceBasic = await codeFlow(BASIC, { usePkce: false, jar });
  const tNoPkceBasic = await exchange(BASIC, noPkceBasic, { code_verifier: undefined });
  show('tk-basic without PKCE', `${noPkceBasic.query?.error ?? 'code'} ${tNoPkceBasic.status}`);

  // -- client authentication errors ------------------------------------------------------------
  section('client authentication errors');
  const wrongSecret = await token({ grant_type: 'client_credentials' }, { ...BASIC, secret: 'wrong' });
  show('tk-basic, wrong secret', `${wrongSecret.status} ${wrongSecret.text} WWW-Authenticate: ${wrongSecret.headers.get('www-authenticate')}`);
  show('server said', serverSaid());
  check('wrong secret: 401 invalid_client with WWW-Authenticate', wrongSecret.status === 401 && wrongSecret.json?.error === 'invalid_client' && !!wrongSecret.headers.get('www-authenticate'));
  const wrongMethod = await token({ grant_type: 'client_credentials' }, { ...BASIC, method: 'post' });
  show('tk-basic (registered client_secret_basic) authenticating with client_secret_post', `${wrongMethod.status} ${wrongMethod.text} WWW-Authenticate: ${wrongMethod.headers.get('www-authenticate')}`);
  show('server said', serverSaid());
  const noSecret = await token({ grant_type: 'client_credentials' }, { id: 'tk-basic' });
  show('tk-basic with client_id only (no secret)', `${noSecret.status} ${noSecret.text} WWW-Authenticate: ${noSecret.headers.get('www-authenticate')}`);
  show('server said', serverSaid());
  const pubSecret = await token({ grant_type: 'refresh_token', refresh_token: 'x' }, { id: 'tk-public', secret: 'anything', method: 'post' });
  show('tk-public sending a client_secret', `${pubSecret.status} ${pubSecret.text}`);
  show('server said', serverSaid());
  const special = { id: 'tk-special', secret: 'a:b+c/d%e f&g=h', method: 'basic' };
  const spEnc = await token({ grant_type: 'client_credentials' }, special);
  show('tk-special, Basic with each part form-urlencoded (RFC 6749 §2.3.1)', `${spEnc.status} ${spEnc.json?.error ?? 'tokens'}`);
  check('a secret with : + / % space & = works in Basic when form-urlencoded', spEnc.status === 200, spEnc.text);
  const raw = `Basic ${Buffer.from(`${special.id}:${special.secret}`).toString('base64')}`;
  const spRaw = await http('POST', meta.token_endpoint, { form: { grant_type: 'client_credentials' }, headers: { authorization: raw } });
  show('tk-special, Basic with the raw secret (not urlencoded)', `${spRaw.status} ${spRaw.text}`);
  show('server said', serverSaid());
  const spPost = await token({ grant_type: 'client_credentials' }, { ...special, method: 'post' });
  show('tk-special, in the body (client_secret_post)', `${spPost.status} ${spPost.json?.error ?? 'tokens'}`);
  const unknown = await token({ grant_type: 'client_credentials' }, { id: 'nobody', secret: 'x', method: 'basic' });
  show('unknown client (basic)', `${unknown.status} ${unknown.text} WWW-Authenticate: ${unknown.headers.get('www-authenticate')}`);
  show('server said', serverSaid());
  const ccPublic = await token({ grant_type: 'client_credentials' }, PUBLIC);
  show('client_credentials by the public client', `${ccPublic.status} ${ccPublic.text}`);
  show('server said', serverSaid());
  const htmlErr = await http('POST', meta.token_endpoint, { form: { grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'tk-public' }, headers: { accept: 'text/html' } });
  show('token endpoint error with Accept: text/html', `${htmlErr.status} ${htmlErr.type} ${htmlErr.text.replace(/\s+/g, ' ').slice(0, 200)}`);
  const noAccept = await fetch(meta.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' }, body: 'grant_type=refresh_token&refresh_token=nope&client_id=tk-public' });
  show('token endpoint error with Accept: */*', `${noAccept.status} ${noAccept.headers.get('content-type')} ${(await noAccept.text()).slice(0, 120)}`);
  const unsupported = await token({ grant_type: 'password', username: 'alice', password: 'alice-password' }, BASIC);
  show('grant_type=password', `${unsupported.status} ${unsupported.text}`);
  serverSaid();

  // -- client credentials --------------------------------------------------------------------------
  section('client_credentials');
  const cc1 = await token({ grant_type: 'client_credentials' }, BASIC);
  show('tk-basic, no scope, no resource', summary(cc1.json));
  check('client_credentials (basic): Bearer, expires_in 30, no refresh token', cc1.status === 200 && cc1.json.token_type === 'Bearer' && cc1.json.expires_in === 30 && !cc1.json.refresh_token, cc1.json);
  const cc2 = await token({ grant_type: 'client_credentials', scope: 'api:read' }, POST);
  show('tk-post, scope api:read, no resource', `${cc2.status} ${JSON.stringify(summary(cc2.json) ?? cc2.text)}`);
  show('its introspection', (await introspect(cc2.json.access_token)).json);
  const cc3 = await token({ grant_type: 'client_credentials', scope: 'api:read', resource: 'urn:tokenkeeper:jwt-api' }, POST);
  show('tk-post, scope api:read, resource urn:tokenkeeper:jwt-api', summary(cc3.json));
  check('client_credentials with a JWT resource: a JWT access token', cc3.status === 200 && isJwt(cc3.json.access_token), cc3.text);
  if (isJwt(cc3.json?.access_token)) {
    const j = decodeJwt(cc3.json.access_token);
    show('JWT header', j.header);
    show('JWT claims', j.payload);
    show('exp - iat vs expires_in', `${j.payload.exp - j.payload.iat} vs ${cc3.json.expires_in}`);
  }
  const introJwt = await introspect(cc3.json.access_token);
  show('introspection of the JWT access token', `${introJwt.status} ${introJwt.text}`);
  const cc4 = await token({ grant_type: 'client_credentials', scope: 'api:read', resource: 'urn:tokenkeeper:opaque-api' }, BASIC);
  const introCc4 = await introspect(cc4.json.access_token);
  show('opaque resource token, introspected', { token: summary(cc4.json), introspection: introCc4.json });
  check('client_credentials opaque token introspects active', introCc4.json?.active === true, introCc4.json);
  const badTarget = await token({ grant_type: 'client_credentials', resource: 'urn:nope' }, BASIC);
  show('unknown resource', `${badTarget.status} ${badTarget.text}`);
  serverSaid();

  // -- resource indicator in the code flow --------------------------------------------------------
  section('authorization code with a resource indicator (JWT access token)');
  const rf = await codeFlow(PUBLIC, { scope: 'openid offline_access api:read', extra: { resource: 'urn:tokenkeeper:jwt-api' }, jar });
  const rt = await exchange(PUBLIC, rf, { resource: 'urn:tokenkeeper:jwt-api' });
  show('code exchange with resource', `${rt.status} ${JSON.stringify(summary(rt.json) ?? rt.text)}`);
  check('code flow + resource: a JWT access token and a refresh token', rt.status === 200 && isJwt(rt.json.access_token) && !!rt.json.refresh_token, rt.text);
  if (rt.status === 200) {
    show('its claims', decodeJwt(rt.json.access_token).payload);
    const rr = await token({ grant_type: 'refresh_token', refresh_token: rt.json.refresh_token, resource: 'urn:tokenkeeper:jwt-api' }, PUBLIC);
    show('refresh with resource', `${rr.status} ${JSON.stringify(summary(rr.json) ?? rr.text)}`);
    check('refresh with resource: JWT again, rotated', rr.status === 200 && isJwt(rr.json.access_token) && rr.json.refresh_token !== rt.json.refresh_token, rr.text);
    const rr2 = await token({ grant_type: 'refresh_token', refresh_token: rr.json.refresh_token }, PUBLIC);
    show('refresh without resource', `${rr2.status} ${JSON.stringify(summary(rr2.json) ?? rr2.text)}`);
    const noRes = await exchange(PUBLIC, await codeFlow(PUBLIC, { scope: 'openid offline_access api:read', extra: { resource: 'urn:tokenkeeper:jwt-api' }, jar }));
    show('code exchange without resource (authorized with one)', `${noRes.status} ${JSON.stringify(summary(noRes.json) ?? noRes.text)}`);
  }
  serverSaid();

  // -- concurrent refreshes ---------------------------------------------------------------------
  section('two refreshes at once with the same refresh token');
  {
    const f = await codeFlow(PUBLIC, { jar });
    const t = await exchange(PUBLIC, f);
    const [a, b] = await Promise.all([
      token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, PUBLIC),
      token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, PUBLIC),
    ]);
    show('answers', [`${a.status} ${a.json?.error ?? 'tokens'}`, `${b.status} ${b.json?.error ?? 'tokens'}`]);
    show('server said', serverSaid());
    const winner = [a, b].find((x) => x.status === 200);
    if (winner) {
      const next = await token({ grant_type: 'refresh_token', refresh_token: winner.json.refresh_token }, PUBLIC);
      show('the winner\'s refresh token afterwards', `${next.status} ${next.text.slice(0, 120)}`);
      check('a concurrent double refresh: one wins, the loser is a reuse that revokes the grant (the winner\'s new refresh token is refused)',
        [a, b].filter((x) => x.status === 200).length === 1 && [a, b].some((x) => x.json?.error === 'invalid_grant') && next.json?.error === 'invalid_grant', next.text);
    }
    serverSaid();
  }

  // -- rotation off -------------------------------------------------------------------------
  section('rotation off (OIDC_ROTATE=never via /test/settings)');
  {
    await http('POST', `${issuer}/test/settings`, { json: { rotate: 'never' } });
    const f = await codeFlow(BASIC, { jar });
    const t = await exchange(BASIC, f);
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, BASIC);
    show('refresh with rotation off', { ...summary(r.json), same_refresh_token: r.json.refresh_token === t.json.refresh_token });
    const r2 = await token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, BASIC);
    check('rotation off: the answer repeats the same refresh token, which stays usable', r.json.refresh_token === t.json.refresh_token && r2.status === 200, r2.text);
    await http('POST', `${issuer}/test/settings`, { json: { rotate: 'always' } });
  }

  // -- revocation -----------------------------------------------------------------------------
  section('revocation (RFC 7009) and a grant revoked on the server');
  {
    const f = await codeFlow(POST, { jar });
    const t = await exchange(POST, f);
    const rv = await http('POST', meta.revocation_endpoint, { form: { token: t.json.refresh_token, token_type_hint: 'refresh_token', client_id: POST.id, client_secret: POST.secret } });
    show('revoke the refresh token', `${rv.status} ${JSON.stringify(rv.text)}`);
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, POST);
    const at = await introspect(t.json.access_token);
    show('then refresh', `${r.status} ${r.text}`);
    show('then the access token', at.json);
    check('revoked refresh token: invalid_grant; its access token inactive too (grant revoked)', r.json?.error === 'invalid_grant' && at.json.active === false, at.json);
    const again = await http('POST', meta.revocation_endpoint, { form: { token: 'not-a-token', client_id: POST.id, client_secret: POST.secret } });
    show('revoke an unknown token', `${again.status} ${JSON.stringify(again.text)}`);
    const pub = await http('POST', meta.revocation_endpoint, { form: { token: 'not-a-token', client_id: PUBLIC.id } });
    show('revoke by the public client', `${pub.status} ${JSON.stringify(pub.text)}`);

    const f2 = await codeFlow(PUBLIC, { jar });
    const t2 = await exchange(PUBLIC, f2);
    const rvAt = await http('POST', meta.revocation_endpoint, { form: { token: t2.json.access_token, client_id: PUBLIC.id } });
    const r2 = await token({ grant_type: 'refresh_token', refresh_token: t2.json.refresh_token }, PUBLIC);
    show('revoke the access token only, then refresh', `${rvAt.status} then ${r2.status}`);
    show('server said', serverSaid());
    check('revoking an access token revokes its grant\'s refresh token too (RFC 7009 §2.1 MAY)', r2.json?.error === 'invalid_grant', r2.text);

    const f3 = await codeFlow(PUBLIC, { jar });
    const t3 = await exchange(PUBLIC, f3);
    const sv = await http('POST', `${issuer}/test/revoke`, { json: { account: 'alice', client_id: 'tk-public' } });
    show('POST /test/revoke', sv.json);
    const r3 = await token({ grant_type: 'refresh_token', refresh_token: t3.json.refresh_token }, PUBLIC);
    show('refresh after the server revoked the grant', `${r3.status} ${r3.text}`);
    show('server said', serverSaid());
    check('grant revoked on the server: invalid_grant', r3.json?.error === 'invalid_grant', r3.text);
  }

  // -- expiry, with the server's clock moved -------------------------------------------------------
  section('expiry (POST /test/clock)');
  {
    const f = await codeFlow(PUBLIC, { jar });
    const t = await exchange(PUBLIC, f);
    await http('POST', `${issuer}/test/clock`, { json: { advance: 31 } });
    const ui1 = await http('GET', meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t.json.access_token}` } });
    const i2 = await introspect(t.json.access_token);
    show('1 s past exp: userinfo, introspection', [`${ui1.status}`, i2.json]);
    check('1 s past exp: introspection says inactive, userinfo still answers (clockTolerance 15 s)', i2.json.active === false && ui1.status === 200, [ui1.status, i2.json]);
    await http('POST', `${issuer}/test/clock`, { json: { advance: 15 } });
    const ui2 = await http('GET', meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t.json.access_token}` } });
    show('16 s past exp: userinfo', `${ui2.status} ${ui2.text} WWW-Authenticate: ${ui2.headers.get('www-authenticate')}`);
    check('16 s past exp: 401 invalid_token at userinfo', ui2.status === 401 && ui2.json?.error === 'invalid_token', ui2.text);
    const ri0 = await introspect(t.json.refresh_token, PUBLIC, 'refresh_token');
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, PUBLIC);
    check('the refresh token still works after the access token expired', r.status === 200, r.text);
    const ri1 = await introspect(r.json.refresh_token, PUBLIC, 'refresh_token');
    show('first refresh token (iat, exp) / the rotated one (iat, exp)', `${JSON.stringify([ri0.json.iat, ri0.json.exp, ri0.json.active])} / ${JSON.stringify([ri1.json.iat, ri1.json.exp])}`);
    check('a rotated refresh token gets a full new lifetime (sliding)', ri1.json.exp - ri1.json.iat === 3600 && ri1.json.iat >= ri0.json.iat + 46, [ri0.json, ri1.json]);
    await http('POST', `${issuer}/test/clock`, { json: { advance: 3601 } });
    const r2 = await token({ grant_type: 'refresh_token', refresh_token: r.json.refresh_token }, PUBLIC);
    show('refresh token just past its lifetime', `${r2.status} ${r2.text}`);
    show('server said', serverSaid());
    check('expired refresh token: invalid_grant', r2.json?.error === 'invalid_grant', r2.text);
    await http('POST', `${issuer}/test/clock`, { json: { offset: 0 } });

    // Clock skew: the server an hour ahead of us. expires_in is relative; a JWT's exp is not.
    await http('POST', `${issuer}/test/clock`, { json: { offset: 3600 } });
    const sent = Math.floor(Date.now() / 1000);
    const sk = await token({ grant_type: 'client_credentials', scope: 'api:read', resource: 'urn:tokenkeeper:jwt-api' }, BASIC);
    const skc = decodeJwt(sk.json.access_token).payload;
    const skDate = Math.floor(Date.parse((await fetch(`${issuer}/.well-known/openid-configuration`)).headers.get('date')) / 1000);
    show('server 3600 s ahead: expires_in, exp - our clock, exp - iat, Date header - our clock', [sk.json.expires_in, skc.exp - sent, skc.exp - skc.iat, skDate - sent]);
    check('under skew expires_in stays 30 while exp is an hour off our clock (the Date header shows the skew)', sk.json.expires_in === 30 && skc.exp - sent >= 3629 && skDate - sent >= 3599, skc);
    await http('POST', `${issuer}/test/clock`, { json: { offset: 0 } });

    const ui3 = await http('GET', meta.userinfo_endpoint, { headers: { authorization: 'Bearer garbage' } });
    show('userinfo with an unknown token', `${ui3.status} ${ui3.text} WWW-Authenticate: ${ui3.headers.get('www-authenticate')}`);
    const ui4 = await http('GET', meta.userinfo_endpoint);
    show('userinfo without a token', `${ui4.status} ${ui4.text} WWW-Authenticate: ${ui4.headers.get('www-authenticate')}`);
    serverSaid();
  }

  // -- the account gone --------------------------------------------------------------------------
  section('the account disabled on the server');
  {
    const f = await codeFlow(PUBLIC, { jar });
    const t = await exchange(PUBLIC, f);
    await http('POST', `${issuer}/test/settings`, { json: { disabled: ['alice'] } });
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, PUBLIC);
    show('refresh for a disabled account', `${r.status} ${r.text}`);
    show('server said', serverSaid());
    check('disabled account: invalid_grant', r.json?.error === 'invalid_grant', r.text);
    await http('POST', `${issuer}/test/settings`, { json: { disabled: [] } });
  }

  // -- the HTML login and consent pages --------------------------------------------------------
  section('the login and consent pages (auto login off)');
  {
    await http('POST', `${issuer}/test/settings`, { json: { autoLogin: '' } });
    const j2 = new Jar();
    const p = pkce();
    const state = b64url(randomBytes(8));
    let url = `${meta.authorization_endpoint}?${new URLSearchParams({
      client_id: 'tk-public', response_type: 'code', redirect_uri: redirectUri, scope: 'openid offline_access',
      prompt: 'consent', state, code_challenge: p.challenge, code_challenge_method: 'S256',
    })}`;
    let res = await http('GET', url, { jar: j2, headers: { accept: 'text/html' } });
    url = new URL(res.location, url).href;
    res = await http('GET', url, { jar: j2, headers: { accept: 'text/html' } });
    show('login page', `${res.status} ${res.type} ${res.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    check('the login page is HTML, not JSON', res.status === 200 && res.type.startsWith('text/html') && res.json === undefined);
    const action = new URL(/action="([^"]+)"/.exec(res.text)[1], url).href;
    res = await http('POST', action, { jar: j2, form: { login: 'alice', password: 'wrong' }, headers: { accept: 'text/html' } });
    show('wrong password', `${res.status} ${/class="error">([^<]*)/.exec(res.text)?.[1]}`);
    res = await http('POST', action, { jar: j2, form: { login: 'alice', password: 'alice-password' }, headers: { accept: 'text/html' } });
    const hops = [`${res.status} POST login`];
    while (res.status >= 300 && res.status < 400) {
      url = new URL(res.location, url).href;
      if (!url.startsWith(issuer)) break;
      res = await http('GET', url, { jar: j2, headers: { accept: 'text/html' } });
      hops.push(`${res.status} ${new URL(url).pathname}`);
    }
    show('after login', `${hops.join(' -> ')}: ${res.text.replace(/\s+/g, ' ').slice(0, 200)}`);
    const consentAction = new URL(/action="([^"]+)"/.exec(res.text)[1], url).href;
    res = await http('POST', consentAction, { jar: j2, form: {}, headers: { accept: 'text/html' } });
    while (res.status >= 300 && res.status < 400) {
      url = new URL(res.location, url).href;
      if (!url.startsWith(issuer)) break;
      res = await http('GET', url, { jar: j2, headers: { accept: 'text/html' } });
    }
    const q = Object.fromEntries(new URL(url).searchParams);
    const t = await token({ grant_type: 'authorization_code', code: q.code, redirect_uri: redirectUri, code_verifier: p.verifier }, PUBLIC);
    check('login and consent forms submitted over HTTP give a code and tokens', t.status === 200 && !!t.json.refresh_token, t.text);
    await http('POST', `${issuer}/test/settings`, { json: { autoLogin: 'alice' } });
  }

  // -- device flow ------------------------------------------------------------------------------
  section('device authorization grant (RFC 8628)');
  const dev = async (client, scope = 'openid offline_access profile', extra = {}) => {
    const opts = { form: { scope, ...extra } };
    if (client.method === 'basic') opts.basic = [client.id, client.secret];
    else opts.form.client_id = client.id;
    return http('POST', meta.device_authorization_endpoint, opts);
  };
  const poll = (client, d) => token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: d.device_code }, client);
  {
    const d = await dev(PUBLIC);
    show('device authorization answer', { status: d.status, ...d.json, device_code: `${d.json.device_code?.length} chars` });
    check('device authorization: device_code, user_code, verification_uri(_complete), expires_in', d.status === 200 && d.json.user_code && d.json.verification_uri && d.json.verification_uri_complete && d.json.expires_in, d.json);
    const p1 = await poll(PUBLIC, d.json);
    const p2 = await poll(PUBLIC, d.json);
    show('polling before approval (twice, at once)', [`${p1.status} ${p1.text}`, `${p2.status} ${p2.text}`]);
    check('pending: 400 authorization_pending (no slow_down even when polled at once)', p1.json?.error === 'authorization_pending' && p2.json?.error === 'authorization_pending');

    // The person's part, over HTTP: open verification_uri_complete, confirm, log in, consent.
    const dj = new Jar();
    let res = await http('GET', d.json.verification_uri_complete, { jar: dj, headers: { accept: 'text/html' } });
    show('GET verification_uri_complete', `${res.status} ${res.type}, hidden fields ${JSON.stringify(Object.keys(hidden(res.text)))}`);
    res = await http('POST', meta.device_authorization_endpoint.replace(/\/auth$/, ''), { jar: dj, form: hidden(res.text), headers: { accept: 'text/html' } });
    show('POST /device (user_code)', `${res.status} ${/<h1>([^<]*)/.exec(res.text)?.[1]} hidden ${JSON.stringify(hidden(res.text))}`);
    res = await http('POST', meta.device_authorization_endpoint.replace(/\/auth$/, ''), { jar: dj, form: hidden(res.text), headers: { accept: 'text/html' } });
    const hops = [`${res.status} POST /device confirm`];
    let url = meta.device_authorization_endpoint;
    while (res.status >= 300 && res.status < 400) {
      url = new URL(res.location, url).href;
      res = await http('GET', url, { jar: dj, headers: { accept: 'text/html' } });
      hops.push(`${res.status} ${new URL(url).pathname}`);
    }
    show('then', `${hops.join(' -> ')}: ${/<h1>([^<]*)/.exec(res.text)?.[1]}`);
    const p3 = await poll(PUBLIC, d.json);
    show('poll after approval', summary(p3.json) ?? p3.text);
    check('device flow via the HTML pages: tokens with a refresh token', p3.status === 200 && !!p3.json.refresh_token, p3.text);
    const p4 = await poll(PUBLIC, d.json);
    show('poll again after the tokens were issued', `${p4.status} ${p4.text}`);
    show('server said', serverSaid());
    const afterRepoll = await introspect(p3.json.access_token);
    check('polling once more after success revokes the tokens it gave (the device code is consumed)', p4.json?.error === 'invalid_grant' && afterRepoll.json?.active === false, afterRepoll.json);
  }
  {
    const d = await dev(BASIC, 'openid offline_access');
    const ap = await http('POST', `${issuer}/test/device`, { json: { user_code: d.json.user_code, account: 'bob' } });
    show('POST /test/device', ap.json);
    const t = await poll(BASIC, d.json);
    show('poll', summary(t.json) ?? t.text);
    check('device flow via /test/device (tk-basic): tokens with a refresh token', t.status === 200 && !!t.json.refresh_token, t.text);
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, BASIC);
    check('and it refreshes (rotated)', r.status === 200 && r.json.refresh_token !== t.json.refresh_token, r.text);
    const intro = await introspect(r.json.access_token);
    show('introspection', intro.json);
  }
  {
    const d = await dev(PUBLIC);
    await http('POST', `${issuer}/test/device`, { json: { user_code: d.json.user_code, action: 'deny' } });
    const t = await poll(PUBLIC, d.json);
    show('denied', `${t.status} ${t.text}`);
    check('denied: access_denied', t.json?.error === 'access_denied', t.text);
    const d2 = await dev(PUBLIC);
    await http('POST', `${issuer}/test/clock`, { json: { advance: 601 } });
    const t2 = await poll(PUBLIC, d2.json);
    await http('POST', `${issuer}/test/clock`, { json: { offset: 0 } });
    show('expired device code', `${t2.status} ${t2.text}`);
    check('device code just past expires_in: 400 expired_token', t2.json?.error === 'expired_token', t2.text);
    const d4 = await dev(PUBLIC);
    await http('POST', `${issuer}/test/clock`, { json: { advance: 700 } });
    const t4 = await poll(PUBLIC, d4.json);
    await http('POST', `${issuer}/test/clock`, { json: { offset: 0 } });
    show('device code long past expires_in (dropped from the store)', `${t4.status} ${t4.text}`);
    const d3 = await dev(PUBLIC, 'openid offline_access', { resource: 'urn:tokenkeeper:jwt-api' });
    show('device authorization with a resource', `${d3.status} ${d3.text.slice(0, 160)}`);
    serverSaid();
  }
  const state = await http('GET', `${issuer}/test/state`);
  show('GET /test/state', state.json);
}

main().catch((err) => {
  console.error(err);
  console.log(`\nsmoke: ${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});
