#!/usr/bin/env bash
# `make security`: static analysis with bandit, then sqlmap against a running server.
#
# 1. bandit over the application code; any finding of medium or high severity fails.
# 2. A throwaway SQLite database with the demo data, served by gunicorn on a free loopback port.
# 3. sqlmap (--technique=BEU --level=2 --risk=1) against the log-in form (with its CSRF token), near me, the task
#    filter (anonymous), Open311's request filters (public), the merchant's code look-up and the voucher URL of the
#    QR code (logged in as demo merchant staff).
#    Any injectable parameter fails, and so does any 500 the server answered during the scans.
# The server is always stopped. The reports stay in a temporary folder, named at the end, when a check
# fails (or with KEEP_REPORTS=1).
# Only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
SQLMAP=${SQLMAP:-sqlmap}
SQLMAP_LEVEL=${SQLMAP_LEVEL:-2}
SQLMAP_RISK=${SQLMAP_RISK:-1}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nuanxin-security.XXXXXX")
SERVER_PID=""
FAILURES=()

say() { printf '\n== %s\n' "$*"; }

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# --- 1. bandit -----------------------------------------------------------------------------------
say "bandit: application code (fails on medium or high severity)"
targets=()
for path in core accounts points notifications volunteer rewards stations reports oversight recognition passes api demo migrations *.py; do
  [[ -e "$path" ]] && targets+=("$path")
done
if "$BIN/bandit" -r "${targets[@]}" -ll -f txt -o "$WORK/bandit.txt"; then
  grep -E "No issues identified|Total lines of code" "$WORK/bandit.txt" || true
  # Low-severity notes (the development key, the demo password, the demo's seeded random) for the record.
  "$BIN/bandit" -r "${targets[@]}" -l -q -f custom --msg-template "   note: {relpath}:{line} {test_id} {msg}" \
    2>/dev/null | grep "note:" || true
else
  cat "$WORK/bandit.txt"
  FAILURES+=("bandit reported medium/high findings (above)")
fi

# --- 2. a server on a throwaway database ----------------------------------------------------------
say "server: demo data in a throwaway SQLite database"
PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export DATABASE_URL="sqlite:///$WORK/nuanxin.db"
export SECRET_KEY
SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_hex(32))')
export NUANXIN_ENV=development FLASK_APP=app
if grep -q "RATELIMIT_ENABLED" config.py; then
  # sqlmap sends thousands of failing log-ins and unknown codes; the abuse limits would answer 429 to all.
  export RATELIMIT_ENABLED=0
  echo "abuse limits switched off for the scan (RATELIMIT_ENABLED=0)"
fi
"$BIN/flask" db upgrade >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; exit 1; }
"$BIN/flask" demo load

: >"$WORK/gunicorn.conf.py"  # not the project's production config: no extra workers, logs here
"$BIN/gunicorn" -c "$WORK/gunicorn.conf.py" --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
  --access-logfile "$WORK/access.log" --access-logformat '%(h)s "%(m)s %(U)s" %(s)s' \
  --error-logfile "$WORK/server.log" 'app:create_app()' &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "the server did not start"; exit 1; }
  sleep 0.2
done
curl -fsS "$BASE/healthz" >/dev/null || { cat "$WORK/server.log"; echo "the server does not answer"; exit 1; }
echo "serving $BASE (pid $SERVER_PID)"

# Log in as the demo staff of 暖新小厨 and keep the session cookie.
session_cookie() {  # phone password -> the value of the session cookie
  local jar="$WORK/cookies-$1.txt" token
  token=$(curl -fsS -c "$jar" -b "$jar" "$BASE/login" | sed -n 's/.*name="csrf_token"[^>]*value="\([^"]*\)".*/\1/p' | head -1)
  curl -sS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
    --data-urlencode "phone=$1" --data-urlencode "password=$2" "$BASE/login"
  awk '$6 == "session" { print $7 }' "$jar"
}
STAFF_COOKIE=$(session_cookie 13700000001 demo1234)
[[ -n "$STAFF_COOKIE" ]] || { echo "could not log in as demo merchant staff"; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -b "session=$STAFF_COOKIE" "$BASE/merchant/lookup?code=1")
[[ "$status" == 422 ]] || { echo "the staff session does not reach the look-up (got $status)"; exit 1; }

# --- 3. sqlmap -------------------------------------------------------------------------------------
SQLMAP_COMMON=(--batch --technique=BEU "--level=$SQLMAP_LEVEL" "--risk=$SQLMAP_RISK" --flush-session
               --disable-coloring --output-dir="$WORK/sqlmap" --timeout=30 --retries=1)

scan() {  # name, sqlmap arguments...
  local name=$1; shift
  say "sqlmap: $name"
  local log="$WORK/sqlmap-$name.log" started=$SECONDS
  "$SQLMAP" "${SQLMAP_COMMON[@]}" "$@" >"$log" 2>&1 || true
  grep -E "testing (URL|for SQL injection on)|CRITICAL|ERROR|injectable|HTTP error codes|^[0-9]{3} \(" "$log" \
    | grep -v "^\[.*\] \[INFO\] testing '" | sed 's/^/   /' | head -40 || true
  if grep -qiE "identified the following injection point|is '.*' injectable|is vulnerable|Parameter: .* \((GET|POST|Cookie|URI|User-Agent|Referer|Host)\)" "$log"; then
    FAILURES+=("sqlmap found an injection in $name (see $log)")
  elif ! grep -q "do not appear to be injectable" "$log"; then
    FAILURES+=("sqlmap did not finish its tests of $name (see $log)")
  fi
  if grep -qE "^500 \(Internal Server Error\)" "$log"; then
    FAILURES+=("$name: the server answered 500 during the scan (see $log and $WORK/server.log)")
  fi
  grep -qE "^429 " "$log" && echo "   note: the server answered 429 (rate limited) during the scan of $name"
  echo "   ($((SECONDS - started)) s)"
}

scan login -u "$BASE/login" --data "csrf_token=x&phone=13800000001&password=wrong-password" \
  --csrf-token=csrf_token --csrf-url="$BASE/login" -p "phone,password"
scan task-filter -u "$BASE/tasks?category=x&organisation=1&soon=2h&short=1&near=1&lat=31.87&lng=120.55" \
  --cookie "lang=zh" -p "category,organisation,soon,short,near,lat,lng,lang"
scan near-me -u "$BASE/stations/?lat=31.87&lng=120.55&area=yangshe&amenity=water&open=1&kind=station&wide=1" \
  -p "lat,lng,area,amenity,open,kind,wide"
scan open311-requests \
  -u "$BASE/open311/v2/requests.json?service_code=road_facilities&status=open&start_date=2026-11-01T00:00:00%2B08:00&end_date=2026-12-31T00:00:00Z&service_request_id=1,2" \
  -p "service_code,status,start_date,end_date,service_request_id"
scan code-lookup -u "$BASE/merchant/lookup?code=1" --cookie "session=$STAFF_COOKIE" --drop-set-cookie -p code
# The voucher URL inside the QR code (the code in the path is what reaches the database): one of the
# restaurant's own vouchers, preferably still issued, so the page is the real one and not "not found".
VOUCHER_CODE=$("$BIN/python" - "$WORK/nuanxin.db" <<'PY'
import sqlite3
import sys

rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT v.code FROM voucher v JOIN merchant_staff s ON s.merchant_id = v.merchant_id"
    " JOIN user u ON u.id = s.user_id WHERE u.phone = '13700000001'"
    " ORDER BY v.status = 'issued' DESC, v.id LIMIT 1").fetchall()
print(rows[0][0] if rows else "")
PY
)
if [[ -n "$VOUCHER_CODE" ]]; then
  scan voucher-url -u "$BASE/merchant/vouchers/$VOUCHER_CODE*" --cookie "session=$STAFF_COOKIE" --drop-set-cookie
else
  FAILURES+=("no demo voucher of 13700000001's restaurant to scan the voucher URL with")
fi

stop_server
say "server log"
errors=$(grep -cE "Traceback|Exception on" "$WORK/server.log" || true)
server_500=$(awk '$NF == 500' "$WORK/access.log" | wc -l)
requests=$(wc -l <"$WORK/access.log")
echo "$requests requests; $server_500 answered 500; $errors tracebacks logged"
if (( server_500 > 0 || errors > 0 )); then
  grep -B2 -A30 -m3 "Traceback" "$WORK/server.log" || true
  FAILURES+=("the server failed ($server_500 × 500, $errors tracebacks) under the scans")
fi
awk '$NF == 429' "$WORK/access.log" | head -1 | grep -q . && echo "note: some requests were rate limited (429)"

if (( ${#FAILURES[@]} )); then
  say "reports in $WORK"
  printf 'FAILED: %s\n' "${FAILURES[@]}"
  exit 1
fi
if [[ -n "${KEEP_REPORTS:-}" ]]; then say "reports in $WORK"; else rm -rf "$WORK"; fi
echo "security checks passed: no bandit finding of medium or high severity, no injectable parameter, no 500"
