#!/bin/sh
# pointwatch-report.sh: report this router to pointwatch (push: for routers behind carrier NAT).
# POSIX sh: runs under busybox ash on OpenWrt. Every POINTWATCH_INTERVAL seconds it reads
# /proc/uptime and /proc/net/dev, LTE figures when the modem gives them (uqmi, mmcli or your own
# command), signs the report with the site token (HMAC-SHA256, openssl) and POSTs it with
# uclient-fetch, curl or wget, whichever exists. Needs: openssl (opkg install openssl-util).
#
#   POINTWATCH_URL       https://pointwatch.example.vn   (base URL of `pointwatch run`)     required
#   POINTWATCH_SITE      site id in the inventory                                            required
#   POINTWATCH_TOKEN     from `pointwatch site token SITE_ID` (never logged)                 required
#   POINTWATCH_INTERVAL  seconds between reports (default 60; the inventory's push.interval_s)
#   POINTWATCH_IFACES    interfaces to report, space-separated (default: all but lo)
#   POINTWATCH_WAN       the WAN interface (default: OpenWrt's "wan" network device, if any)
#   POINTWATCH_LTE_CMD   a command printing key=value lines (rsrp_dbm rsrq_db sinr_db rssi_dbm
#                        cell_id enb_id operator band); default: uqmi, then mmcli, when present
#   POINTWATCH_QMI_DEVICE  for uqmi (default /dev/cdc-wdm0)
#   POINTWATCH_QUOTA_CMD a command printing "exhausted" when the SIM's data package ran out, "ok" otherwise
#   POINTWATCH_STATE     small state file (default /tmp/pointwatch-report.state: RAM, no flash wear)
#   POINTWATCH_ONCE=1    send one report and exit (cron, tests)
#   POINTWATCH_INSECURE=1  do not check the server's TLS certificate (testing only)

URL="${POINTWATCH_URL:-}"
SITE="${POINTWATCH_SITE:-}"
INTERVAL="${POINTWATCH_INTERVAL:-60}"
IFACES="${POINTWATCH_IFACES:-}"
WAN="${POINTWATCH_WAN:-}"
LTE_CMD="${POINTWATCH_LTE_CMD:-}"
QUOTA_CMD="${POINTWATCH_QUOTA_CMD:-}"
QMI_DEV="${POINTWATCH_QMI_DEVICE:-/dev/cdc-wdm0}"
STATE="${POINTWATCH_STATE:-/tmp/pointwatch-report.state}"
ONCE="${POINTWATCH_ONCE:-0}"
TMP="${TMPDIR:-/tmp}"

log() { logger -t pointwatch-report "$*" 2>/dev/null || echo "pointwatch-report: $*" >&2; }
die() { log "$*"; exit 1; }

[ -n "$URL" ] || die "POINTWATCH_URL is not set"
[ -n "$SITE" ] || die "POINTWATCH_SITE is not set"
[ -n "${POINTWATCH_TOKEN:-}" ] || die "POINTWATCH_TOKEN is not set"
case "$SITE" in *[!a-z0-9-]*) die "POINTWATCH_SITE: lowercase letters, digits and dashes only";; esac
case "$INTERVAL" in ''|*[!0-9]*) die "POINTWATCH_INTERVAL: whole seconds";; esac
command -v openssl >/dev/null 2>&1 || die "openssl not found: opkg update && opkg install openssl-util"

hexof() { sed 's/^.*= *//'; }
# the signing key is SHA-256 of the token: the token itself is dropped from memory at once
KEY=$(printf '%s' "$POINTWATCH_TOKEN" | openssl dgst -sha256 | hexof)
unset POINTWATCH_TOKEN
[ ${#KEY} -eq 64 ] || die "openssl dgst failed"

if [ -z "$WAN" ] && [ -f /lib/functions/network.sh ]; then
  . /lib/functions/network.sh
  network_get_device WAN wan 2>/dev/null || network_get_physdev WAN wan 2>/dev/null || WAN=""
fi

# "name rx_bytes rx_errs rx_drop tx_bytes tx_errs tx_drop" per interface (names may touch the colon)
read_dev() {
  awk -v want=" $IFACES " 'NR > 2 {
    sub(/^[ \t]+/, ""); i = index($0, ":"); name = substr($0, 1, i - 1); split(substr($0, i + 1), f, " ")
    if (name == "lo" && want == "  ") next
    if (want != "  " && index(want, " " name " ") == 0) next
    print name, f[1], f[3], f[4], f[9], f[11], f[12]
  }' /proc/net/dev
}

num_in() { # value min max: the value when it is a number within [min, max], else nothing
  awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { if (v ~ /^-?[0-9]+(\.[0-9]+)?$/ && v + 0 >= lo + 0 && v + 0 <= hi + 0) print v + 0 }'
}
json_str() { printf '%s' "$1" | sed 's/[\\"]/\\&/g' | tr -d '\000-\037'; }

# LTE figures as key=value lines, from the configured command, uqmi or mmcli
lte_lines() {
  if [ -n "$LTE_CMD" ]; then
    sh -c "$LTE_CMD" 2>/dev/null
  elif command -v uqmi >/dev/null 2>&1 && [ -e "$QMI_DEV" ]; then
    uqmi -s -d "$QMI_DEV" --get-signal-info 2>/dev/null | sed 's/[{}]//g' | tr ',' '\n' |
      sed -n 's/^ *"rsrp": *\(-\{0,1\}[0-9.]*\).*/rsrp_dbm=\1/p; s/^ *"rsrq": *\(-\{0,1\}[0-9.]*\).*/rsrq_db=\1/p; s/^ *"snr": *\(-\{0,1\}[0-9.]*\).*/sinr_db=\1/p; s/^ *"rssi": *\(-\{0,1\}[0-9.]*\).*/rssi_dbm=\1/p'
    uqmi -s -d "$QMI_DEV" --get-serving-system 2>/dev/null | tr ',' '\n' | sed -n 's/^ *"plmn_description": *"\([^"]*\)".*/operator=\1/p'
  elif command -v mmcli >/dev/null 2>&1; then
    # (musl's sed has no \| alternation: one expression per figure)
    mmcli -m any --signal-get -K 2>/dev/null | sed -n 's/^modem\.signal\.lte\.rsrp *: *\(-\{0,1\}[0-9.]*\).*/rsrp_dbm=\1/p; s/^modem\.signal\.lte\.rsrq *: *\(-\{0,1\}[0-9.]*\).*/rsrq_db=\1/p; s/^modem\.signal\.lte\.snr *: *\(-\{0,1\}[0-9.]*\).*/sinr_db=\1/p; s/^modem\.signal\.lte\.rssi *: *\(-\{0,1\}[0-9.]*\).*/rssi_dbm=\1/p'
    mmcli -m any -K 2>/dev/null | sed -n 's/^modem\.3gpp\.operator-name *: *\(.*\)$/operator=\1/p'
  fi
}

lte_json() {
  out=""
  lte_lines | while IFS='=' read -r k v; do
    case "$k" in
      rsrp_dbm) v=$(num_in "$v" -160 -30) ;;
      rsrq_db) v=$(num_in "$v" -40 10) ;;
      sinr_db) v=$(num_in "$v" -30 60) ;;
      rssi_dbm) v=$(num_in "$v" -130 0) ;;
      cell_id) case "$v" in 0x*|0X*) v=$(printf '%d' "$v" 2>/dev/null) ;; esac; v=$(num_in "$v" 0 268435455); v=${v%%.*} ;;
      enb_id) v=$(num_in "$v" 0 1048575); v=${v%%.*} ;;
      operator) v="\"$(json_str "$v" | cut -c1-64)\"" ;;
      band) v=$(printf '%s' "$v" | tr -cd 'A-Za-z0-9 ._-' | cut -c1-16); v="\"$v\"" ;;
      *) v="" ;;
    esac
    [ -n "$v" ] && [ "$v" != '""' ] && printf '"%s":%s\n' "$k" "$v"
  done | awk '!seen[substr($0, 1, index($0, ":"))]++' | paste -sd, -
}

report_body() {
  up=$(cut -d' ' -f1 /proc/uptime)
  ifs=""
  wan_total=""
  while read -r name rxb rxe rxd txb txe txd; do
    st=$(cat "/sys/class/net/$name/operstate" 2>/dev/null)
    case "$st" in down|lowerlayerdown|notpresent) oper=false ;; *) oper=true ;; esac
    sp=$(cat "/sys/class/net/$name/speed" 2>/dev/null)
    case "$sp" in ''|-*|*[!0-9]*) spj="" ;; *) spj=",\"speed_bps\":${sp}000000" ;; esac
    [ "$sp" = 0 ] && spj=""
    n=$(json_str "$name")
    ifs="$ifs${ifs:+,}{\"name\":\"$n\",\"rx_bytes\":\"$rxb\",\"tx_bytes\":\"$txb\",\"rx_errors\":\"$rxe\",\"tx_errors\":\"$txe\",\"rx_drops\":\"$rxd\",\"tx_drops\":\"$txd\",\"oper_up\":$oper$spj}"
    [ "$name" = "$WAN" ] && wan_total=$(awk -v a="$rxb" -v b="$txb" 'BEGIN { printf "%.0f", a + b }')
  done <<DEV
$(read_dev)
DEV
  extra=""
  [ -n "$WAN" ] && case "$ifs" in *"\"name\":\"$WAN\""*) extra=",\"wan\":\"$(json_str "$WAN")\"" ;; esac
  lte=$(lte_json)
  [ -n "$lte" ] && extra="$extra,\"lte\":{$lte}"
  data=""
  if [ -n "$wan_total" ]; then
    prev=$(cat "$STATE" 2>/dev/null)
    echo "$wan_total" > "$STATE"
    case "$prev" in ''|*[!0-9]*) ;; *) used=$(awk -v a="$wan_total" -v b="$prev" 'BEGIN { if (a >= b) printf "%.0f", a - b }'); [ -n "$used" ] && data="\"used_bytes\":\"$used\"" ;; esac
  fi
  if [ -n "$QUOTA_CMD" ]; then
    q=$(sh -c "$QUOTA_CMD" 2>/dev/null | head -n 1)
    case "$q" in exhausted) data="$data${data:+,}\"quota_exhausted\":true" ;; ok) data="$data${data:+,}\"quota_exhausted\":false" ;; esac
  fi
  [ -n "$data" ] && extra="$extra,\"data\":{$data}"
  printf '{"v":1,"site":"%s","uptime_s":%s,"interfaces":[%s]%s}' "$SITE" "$up" "$ifs" "$extra"
}

send() { # body
  ts=$(date +%s)
  sig=$(printf '%s.%s' "$ts" "$1" | openssl dgst -sha256 -hmac "$KEY" | hexof)
  url="${URL%/}/api/v1/push/$SITE"
  resp="$TMP/pointwatch-resp.$$"
  insecure=""
  if command -v uclient-fetch >/dev/null 2>&1; then
    [ "${POINTWATCH_INSECURE:-0}" = 1 ] && insecure="--no-check-certificate"
    # older uclient-fetch has no --header: the same values go in the query
    uclient-fetch -q -T 20 $insecure -O "$resp" --post-data="$1" "$url?ts=$ts&sig=sha256%3D$sig"
  elif command -v curl >/dev/null 2>&1; then
    [ "${POINTWATCH_INSECURE:-0}" = 1 ] && insecure="-k"
    curl -sS -f -m 20 $insecure -o "$resp" -H 'Content-Type: application/json' \
      -H "X-Pointwatch-Timestamp: $ts" -H "X-Pointwatch-Signature: sha256=$sig" --data-binary "$1" "$url"
  elif command -v wget >/dev/null 2>&1; then
    [ "${POINTWATCH_INSECURE:-0}" = 1 ] && insecure="--no-check-certificate"
    # no -T: busybox 1.35's wget crashes with it; timeout(1) bounds it instead when present
    tmo=""; command -v timeout >/dev/null 2>&1 && tmo="timeout 30"
    $tmo wget -q $insecure -O "$resp" --header 'Content-Type: application/json' \
      --header "X-Pointwatch-Timestamp: $ts" --header "X-Pointwatch-Signature: sha256=$sig" --post-data "$1" "$url"
  else
    die "no uclient-fetch, curl or wget"
  fi
  rc=$?
  [ $rc -eq 0 ] || log "report refused or not delivered (exit $rc): $(head -c 300 "$resp" 2>/dev/null)"
  rm -f "$resp"
  return $rc
}

while :; do
  send "$(report_body)"
  rc=$?
  [ "$ONCE" = 1 ] && exit $rc
  sleep "$INTERVAL"
done
