#!/usr/bin/env python3
"""Writes the starting corpus: real answers of the five APIs (documented successes and
errors, proxy pages, odd shapes), JWTs with various algorithms, config and state files.
Each answer seed is 3 header bytes (status, flags; see tokenkeeper_fuzzing::reply_of) + body.
Run from fuzz/: python3 seeds/make_seeds.py (scripts/fuzz.sh does)."""
import base64, json, os

def b64(d): return base64.urlsafe_b64encode(d).rstrip(b"=").decode()
def jwt(alg="HS256", claims=None, sig=b"signature"):
    claims = claims or {"sub": "admin@example.com", "iat": 1780000000, "exp": 1780000300, "jti": "a1"}
    return ".".join([b64(json.dumps({"alg": alg, "typ": "JWT"}).encode()), b64(json.dumps(claims).encode()), b64(sig)])

def status_bytes(status, flags=0):
    if status == 200:
        return bytes([0, 0, flags])
    if 200 < status < 208:
        return bytes([2, status - 200, flags])
    n = status - 100
    return bytes([3 | ((n >> 8) << 2), n & 0xFF, flags])

HTML = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
CF = "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>blocked</body></html>"
T = jwt()
answers = {
 "answer_redis_enterprise": [
  (200, 4, {"access_token": T}), (401, 0, {"error_code": "unauthorized", "message": "The token is invalid or password has expired"}),
  (401, 0, {"error_code": "password_expired", "message": "Password expired"}), (400, 0, {"error_code": "invalid_ttl", "message": "ttl out of range"}),
  (503, 8, {"error_code": "node_not_responding", "message": "node not responding"}), (502, 1, HTML), (403, 1, CF),
  (200, 0, {"access_token": None}), (200, 0, {"access_token": 5}), (200, 0, T), (401, 0, {"error_code": 401, "message": None, "description": "x"}),
 ],
 "answer_ece": [
  (200, 4, {"token": T, "session_expiration_time": "2026-05-28T20:31:40Z"}), (200, 0, {"token": T}),
  (401, 16, {"errors": [{"code": "root.unauthorized", "message": "The supplied authentication is invalid", "fields": []}]}),
  (501, 16, {"errors": [{"code": "authc.no_authentication_cluster", "message": "No authentication cluster", "fields": None}]}),
  (502, 16, {"errors": [{"code": "authc.authentication_cluster_error", "message": "error"}]}), (449, 16, {"errors": None}),
  (200, 4, {"token": T, "session_expiration_time": "not a date"}), (520, 1, CF),
 ],
 "answer_smartling": [
  (200, 0, {"response": {"code": "SUCCESS", "data": {"accessToken": T, "refreshToken": "rt-" + "x" * 30, "expiresIn": 480, "refreshExpiresIn": 3660, "tokenType": "Bearer"}}}),
  (200, 0, {"response": {"code": "SUCCESS", "data": {"accessToken": T, "refreshToken": "rt-1", "expiresIn": "480", "refreshExpiresIn": None}}}),
  (401, 0, {"response": {"code": "AUTHENTICATION_ERROR", "errors": [{"key": "invalid_token", "message": "Invalid token", "details": None}]}}),
  (400, 0, {"response": {"code": "VALIDATION_ERROR", "errors": [{"key": "refreshToken", "message": "refreshToken is required", "details": {"field": "refreshToken"}}]}}),
  (429, 8, {"response": {"code": "MAX_OPERATIONS_LIMIT_EXCEEDED", "errors": None}}), (503, 0, {"response": {"code": "MAINTENANCE_MODE_ERROR", "errors": []}}),
  (200, 0, {"response": {"code": "SUCCESS", "data": {"refreshToken": "rt-2", "expiresIn": 480}}}), (500, 1, HTML),
 ],
 "answer_generic_jwt": [
  (200, 0, {"jwtToken": T}), (200, 0, {"jwtToken": jwt("ES256K")}), (200, 0, {"jwtToken": jwt("EdDSA")}),
  (401, 0, {"error": {"code": "InvalidRefreshToken", "message": "The refresh token is invalid", "target": "refreshToken", "details": [{"code": "Expired", "message": "expired", "target": "refreshToken"}], "innererror": {"trace": "x"}}}),
  (400, 0, {"error": {"code": "BadArgument", "message": "refreshToken missing", "details": None}}), (404, 0, {"error": {"code": "NotFound", "message": "no"}}),
  (500, 0, {"error": None}), (200, 0, {"jwtToken": "abc"}),
 ],
 "answer_jwt_auth_pro": [
  (200, 0, {"token": T, "user_id": 1, "user_email": "admin@example.com", "user_nicename": "admin", "user_display_name": "Admin", "refresh_token": "rt-" + "y" * 40}),
  (200, 0, {"token": T, "refresh_token": None}), (200, 0, {"token": "abc", "refresh_token": "rt-new"}),
  (403, 0, {"code": "jwt_auth_invalid_refresh_token", "message": "Invalid refresh token", "data": {"status": 403}}),
  (403, 0, {"code": "[jwt_auth] incorrect_password", "message": "<strong>ERROR</strong>: The password you entered for the username <strong>admin</strong> is incorrect.", "data": {"status": 403}}),
  (429, 8, {"code": "jwt_auth_rate_limited", "message": "Too many requests", "data": {"status": 429}}), (400, 0, {"code": "rest_invalid_json", "message": "Invalid JSON body passed."}),
  (403, 1, CF), (521, 1, CF),
 ],
}
os.makedirs("corpus", exist_ok=True)
for target, items in answers.items():
    d = os.path.join("corpus", target); os.makedirs(d, exist_ok=True)
    for i, (status, flags, body) in enumerate(items):
        text = body if isinstance(body, str) and body.startswith("<") else json.dumps(body)
        open(os.path.join(d, f"seed-{i:02}"), "wb").write(status_bytes(status, flags) + text.encode())
jwts = [T, jwt("ES256K"), jwt("EdDSA"), jwt("none", sig=b""), jwt("RS256", {"exp": 5}), jwt("HS256", {"iat": 9, "exp": 1}),
        jwt("HS256", {"exp": 9e18}), jwt("HS256", {"exp": "soon"}), "a.b.c", "abc", T + "=", T.replace(".", "..", 1)]
d = "corpus/jwt_claims"; os.makedirs(d, exist_ok=True)
for i, t in enumerate(jwts): open(f"{d}/seed-{i:02}", "w").write(t)
config = {"version": 1, "settings": {"refresh_lead_secs": 120}, "accounts": [
  {"id": "6f1c1d34-2b0a-4a4e-9f0e-1f2d3c4b5a69", "name": "prod-redis", "provider": "redis-enterprise", "url": "https://cluster.example.com:9443/",
   "username": "admin@example.com", "ttl": 3600, "ca_cert": "/etc/ssl/cluster.pem", "trust_cert": ":".join(["AB"] * 32), "created_at": "2026-11-22T10:00:00Z", "refresh_lead_secs": 300},
  {"id": "0e3a3b7c-5d9e-4f5a-8b1c-2d3e4f5a6b7c", "name": "wp", "provider": "jwt-auth-pro", "url": "https://blog.example.com/", "username": "editor", "insecure": True, "created_at": "2026-11-22T10:00:00Z"}]}
d = "corpus/config_file"; os.makedirs(d, exist_ok=True)
for i, c in enumerate([config, {"version": 1}, {"version": 2}, {"accounts": []}, {"version": 1, "accounts": [config["accounts"][0], config["accounts"][0]]}]):
    open(f"{d}/seed-{i:02}", "w").write(json.dumps(c, indent=2))
state = {"version": 1, "accounts": {"6f1c1d34-2b0a-4a4e-9f0e-1f2d3c4b5a69": {
  "expires_at": "2026-11-22T11:00:00Z", "refresh_expires_at": None, "obtained_at": "2026-11-22T10:00:00Z", "last_refresh": "2026-11-22T10:00:00Z",
  "last_error": {"status": 401, "code": "certificate_untrusted", "message": "m", "kind": "config", "at": "2026-11-22T10:00:00Z",
    "certificate": {"kind": "untrusted", "host": "127.0.0.1", "presented": [{"subject": "CN=x", "issuer": "CN=x", "not_before": "2026-01-01T00:00:00Z", "not_after": None,
      "self_signed": True, "is_ca": True, "names": [], "sha256": ":".join(["0F"] * 32)}], "detail": "UnknownIssuer"}},
  "needs_login": False, "password_refused": True, "next_refresh_at": "2026-11-22T10:50:00Z", "failures": 2, "updated_at": "2026-11-22T10:00:00Z"}}}
d = "corpus/state_file"; os.makedirs(d, exist_ok=True)
for i, s in enumerate([state, {"version": 1, "accounts": {}}, {"version": 9, "accounts": {}}, {"version": 1}]):
    open(f"{d}/seed-{i:02}", "w").write(json.dumps(s))
