#!/bin/sh
# onboard.sh partners.csv — one app per line "name,root_domain,redirect_uri"; prints name,client_id,client_secret
set -eu
: "${GATEHOUSE:=http://127.0.0.1:8080}"
TOKEN=$(curl -sf "$GATEHOUSE/oauth/2.0/token" -u "$ADMIN_ID:$ADMIN_SECRET" \
  -d grant_type=client_credentials -d scope=gatehouse:admin | jq -r .access_token)
while IFS=, read -r name domain redirect; do
  jq -n --arg n "$name" --arg d "$domain" --arg r "$redirect" \
     '{name: $n, root_domain: $d, redirect_uris: [$r], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"]}' |
  curl -sf "$GATEHOUSE/admin/v1/apps" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' --data-binary @- |
  jq -r '[.name, .client_id, .client_secret] | @csv'
done < "$1"
