#!/usr/bin/env bash
# Seeds fuzz/corpus/TARGET for every target: the real files of
# ../shared/testdata (copied at run time, never committed: they are
# third-party and corpus/ is git-ignored), a vault made with the qvault
# command line, and small hand-written inputs. Safe to run again: files
# are overwritten, and what the fuzzer added to a corpus stays.
#
#   fuzz/seed.sh                  # uses target/{debug,release}/qvault, building it if missing
#   QVAULT=path/to/qvault fuzz/seed.sh
#   QVAULT_TESTDATA=path/to/testdata fuzz/seed.sh
set -euo pipefail
cd "$(dirname "$0")"

testdata=${QVAULT_TESTDATA:-../../shared/testdata}
if [ ! -d "$testdata" ]; then
  echo "seed.sh: no test data at $testdata (set QVAULT_TESTDATA)" >&2
  exit 1
fi
qvault=${QVAULT:-}
if [ -z "$qvault" ]; then
  for built in ../target/debug/qvault ../target/release/qvault; do
    [ -x "$built" ] && qvault=$built && break
  done
fi
if [ -z "$qvault" ]; then
  (cd .. && cargo build --quiet --bin qvault)
  qvault=../target/debug/qvault
fi

corpus() {
  mkdir -p "corpus/$1"
  echo "corpus/$1"
}

# vault_file: a vault with one secret, made with the fuzz target's
# password, and a copy whose KDF parameters are patched to the floor
# (19 MiB, 2 passes, 1 lane: the only ones the target unlocks with the
# password) and its digests recomputed, so that it is whole; its slots then
# fail as a wrong password (their associated data binds the parameters).
dir=$(corpus vault_file)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'fuzz password\nfuzz password\n' |
  "$qvault" --vault "$work/seed.qvault" create --password-stdin >/dev/null 2>&1
printf 'fuzz password\n' |
  "$qvault" --vault "$work/seed.qvault" add Logins --type passwords --password-stdin \
    --field issuer=example.org --field username=ann --field password=hunter2 >/dev/null 2>&1
cp "$work/seed.qvault" "$dir/vault-default-kdf.qvault"
head -c 258 "$work/seed.qvault" >"$dir/vault-header-only.qvault"

# Writes the bytes of a hex string at an offset of a file.
put_hex() {
  printf "$(sed 's/../\\x&/g' <<<"$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
floor="$dir/vault-floor-kdf.qvault"
cp "$work/seed.qvault" "$floor"
# Bytes 10..22: memory 19456 KiB, 2 passes, 1 lane, little-endian.
put_hex "$floor" 10 004c0000
put_hex "$floor" 14 02000000
put_hex "$floor" 18 01000000
# Bytes 194..226: SHA-256 of the ciphertext; 226..258: SHA-256 of bytes 0..226.
put_hex "$floor" 194 "$(tail -c +259 "$floor" | sha256sum | cut -c1-64)"
put_hex "$floor" 226 "$(head -c 226 "$floor" | sha256sum | cut -c1-64)"

# legacy_qvault: the original app's sample files.
dir=$(corpus legacy_qvault)
cp "$testdata"/qvault-legacy/*.qvault "$dir/"

# legacy_secrets: decrypted secrets JSON in the old app's layouts, the
# version string the header would carry on the first line.
dir=$(corpus legacy_secrets)
cat >"$dir/0.3.1-all-types.txt" <<'EOF'
0.3.1
{"b1":{"name":"Web logins","type":"passwords","updated":1600000000000,"secrets":{"s1":{"updated":1600000000001,"fields":{"issuer":"forum.example.org","username":"pat","password":"pw","2faSecret":"JBSWY3DPEHPK3PXP","notes":"two\nlines, comma"}}}},
 "b2":{"name":"Bank","type":"financialInstitution","secrets":{"s2":{"updated":1,"fields":{"institutionName":"Bank","routingNumber":"12","paymentCards":[{"cardNumber":"4111 1111 1111 1111","expirationDate":"01/30","cvv":"123","colour":"blue"}],"loans":[{"loanNumber":"7","dueDate":"soon"}],"accountNumbers":[{"accountNumber":"9"}]}}}},
 "b3":{"name":"Wallets","type":"cryptoWallets","secrets":{"s3":{"fields":{"walletName":"Main","ticker":"BTC","seed":"abandon abandon about","xpub":"xpub6","walletPassword":"pw","count":3,"ok":true,"ratio":1.5,"none":null}}}},
 "b4":{"name":"Misc","type":"other","secrets":{"s4":{"fields":{"name":"Locker","secret":"31-07-19"}}}},
 "b5":{"name":"IDs","type":"identification","secrets":{"s5":{"fields":{"idNumber":"X1","expirationDate":"2030"}}}},
 "b6":{"name":"Servers","type":"serverConnection","secrets":{"s6":{"fields":{"connectionString":"ssh://h","publicKey":"p","privateKey":"k"}}}},
 "b7":{"name":"Old","type":"unknownType","secrets":{}}}
EOF
cat >"$dir/0.2.6-display-names.txt" <<'EOF'
0.2.6
{"b1":{"name":"Old logins","type":"Passwords","secrets":{"s1":{"created":5,"fields":{"Issuer":"old.example","Username":"old.user","Password":"pw","2FA Secret":"x","Key/Seed":"abandon","Payment Cards":[{"Card Number":"4111"}]}}}}}
EOF
cat >"$dir/0.1.6-flat-secrets.txt" <<'EOF'
0.1.6
{"b1":{"name":"Older","type":"Financial Institution","secrets":{"s1":{"created":5,"institutionName":"Bank","pin":"1234"}}}}
EOF
printf '%s' '{"b1":{"name":"No version","type":"notes","secrets":{"s1":{"fields":{"name":"n","notes":"x"}}}}}' \
  >"$dir/no-version.txt"

# csv_import: the exports of every password manager in the test data.
dir=$(corpus csv_import)
find "$testdata/csv_import" -type f ! -name '*.md' ! -name 'expected.json' -print0 |
  while IFS= read -r -d '' file; do
    cp "$file" "$dir/$(basename "$(dirname "$file")")-$(basename "$file")"
  done

# kdbx_import: the real KDBX files (3.0 to 4.1, several KDFs and ciphers,
# broken ones too).
dir=$(corpus kdbx_import)
cp "$testdata"/kdbx/*.kdbx "$dir/"

# server_bodies: one body of each request and answer type, and ETags.
dir=$(corpus server_bodies)
key=$(printf '%032d' 0 | base64)
printf '{"email":"ann@example.org","auth_key":"%s"}' "$key" >"$dir/credentials.json"
printf '{"current_auth_key":"%s","new_auth_key":"%s","vault":"UVZBVUxU","if_match":7}' \
  "$key" "$key" >"$dir/change-auth-key.json"
printf '{"token":"abc","expires_at":1700000000}' >"$dir/session.json"
printf '{"revision":3}' >"$dir/revision.json"
printf '{"error":"please log in again"}' >"$dir/api-error.json"
printf 'W/"42"' >"$dir/etag.txt"

for target in corpus/*; do
  echo "$target: $(find "$target" -type f | wc -l) files"
done
