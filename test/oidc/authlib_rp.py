"""A Relying Party on Python's authlib (Debian python3-authlib), driven by test/oidc/authlib.test.ts.

argv: issuer client_id client_secret redirect_uri
stdout line 1: {"authorization_url": ...}; stdin line 1: the callback URL the browser landed on;
stdout line 2: {"claims": ..., "userinfo": ..., "header": ...} or {"error": ...}.
"""
import json
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken


def main() -> None:
    issuer, client_id, client_secret, redirect_uri = sys.argv[1:5]
    metadata = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    assert metadata["issuer"] == issuer, metadata["issuer"]
    session = OAuth2Session(
        client_id,
        client_secret,
        scope="openid profile email",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    nonce = generate_token(20)
    verifier = generate_token(48)
    url, state = session.create_authorization_url(metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    print(json.dumps({"authorization_url": url}), flush=True)

    callback = sys.stdin.readline().strip()
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier)
    jwks = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"values": [issuer]}, "aud": {"values": [client_id]}},
        claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    # Checks exp, iat, iss, aud, azp, nonce, auth_time and at_hash (authlib.oidc.core.claims).
    claims.validate()
    userinfo = session.get(metadata["userinfo_endpoint"]).json()
    print(json.dumps({"claims": dict(claims), "header": dict(claims.header), "userinfo": userinfo}), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the test prints it; a failure must say what broke
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
        sys.exit(1)
