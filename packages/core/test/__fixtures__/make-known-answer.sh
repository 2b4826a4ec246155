#!/usr/bin/env bash
# Computes the known-answer token for known-answer.test.ts with the openssl CLI alone, so the expected string does
# not come from Signet or from any JWT library. Run from anywhere: bash make-known-answer.sh
# The key was made once with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out known-answer-key.pem
set -euo pipefail
cd "$(dirname "$0")"

key_file='known-answer-key.pem'
clock_ms=1700000000999 # not a whole second: iat must be the floor
api_key='signet-known-answer-api-key'
method='POST'
uri='/v1/payments?dryRun=1&note=caf%C3%A9'
body='{"amount":"10.00","currency":"EUR","note":"café"}'
expires_in=55

if [[ ! -f "$key_file" ]]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key_file"
fi

b64url() { # stdin bytes -> base64url without padding
  local b64
  b64="$(openssl base64 -A)"
  b64="${b64//+/-}"
  b64="${b64//\//_}"
  printf '%s' "${b64//=/}"
}
json_string() { # a JSON string literal; the inputs above hold no control characters
  local s="${1//\\/\\\\}"
  printf '"%s"' "${s//\"/\\\"}"
}

iat=$((clock_ms / 1000))
exp=$((iat + expires_in))
body_hash="$(printf '%s' "$body" | openssl dgst -sha256 -hex)"
body_hash="${body_hash##* }"

header='{"alg":"RS256","typ":"JWT"}'
payload="{\"uri\":$(json_string "$uri"),\"iat\":$iat,\"exp\":$exp,\"sub\":$(json_string "$api_key"),\"bodyHash\":\"$body_hash\"}"
signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
signature="$(printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$key_file" -binary | b64url)"

cat > known-answer.json <<JSON
{
  "keyFile": "$key_file",
  "clockMs": $clock_ms,
  "apiKey": $(json_string "$api_key"),
  "method": "$method",
  "uri": $(json_string "$uri"),
  "body": $(json_string "$body"),
  "expiresInSeconds": $expires_in,
  "payload": $(json_string "$payload"),
  "token": "$signing_input.$signature"
}
JSON
echo "wrote known-answer.json"
