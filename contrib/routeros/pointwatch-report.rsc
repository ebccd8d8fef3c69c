# pointwatch-report.rsc: report this MikroTik to pointwatch (push: for routers behind carrier NAT).
# RouterOS 7.15 or later (:convert transform=sha512 and byte-array). NOT run by pointwatch's tests
# (no RouterOS there): its exact output is checked against the report schema as a fixture
# (src/push/testdata/routeros-lte.json). Install:
#   /system script add name=pointwatch-report policy=read,write,test source=[/file get pointwatch-report.rsc contents]
#   /system scheduler add name=pointwatch-report interval=60s on-event="/system script run pointwatch-report"
# and an NTP client (/system ntp client set enabled=yes servers=pool.ntp.org): reports are signed
# with the time and refused when the clock is more than 5 minutes off.
# Signature: HMAC-SHA512 (RouterOS has SHA-512, not SHA-256) keyed with the site's signing key,
# the line `pointwatch site token SITE_ID` prints for RouterOS (never the token itself on the router).

:local pwUrl "https://pointwatch.example.vn"
:local pwSite "lc-bacha-nammon-ch"
:local pwKey "PASTE-THE-64-HEX-SIGNING-KEY"
:local pwWan "lte1"
:local pwLte "lte1"

# JSON-safe text: printable ASCII only, quote and backslash escaped
:local clean do={
  :local out ""
  :for j from=0 to=([:len $1] - 1) do={
    :local c [:pick $1 $j]
    :if ($c = "\"" || $c = "\\") do={ :set out ($out . "\\" . $c) } else={
      :if ($c ~ "^[ -~]\$") do={ :set out ($out . $c) } else={ :set out ($out . "_") }
    }
  }
  :return $out
}
# the number in front of a unit: "-104dBm" -> "-104"
:local numOf do={
  :local v [:tostr $1]
  :local out ""
  :for j from=0 to=([:len $v] - 1) do={
    :local c [:pick $v $j]
    :if ($c ~ "^[-0-9.]\$") do={ :set out ($out . $c) } else={ :if ([:len $out] > 0) do={ :return $out } }
  }
  :return $out
}

:local up [:tonum [/system resource get uptime]]
:local ifs ""
:local wanTotal ""
:foreach i in=[/interface find] do={
  :local n [$clean [/interface get $i name]]
  :local rx [/interface get $i rx-byte]
  :local tx [/interface get $i tx-byte]
  :local oper "false"
  :if ([/interface get $i running]) do={ :set oper "true" }
  :if ([:len $ifs] > 0) do={ :set ifs ($ifs . ",") }
  :set ifs ($ifs . "{\"name\":\"" . $n . "\",\"rx_bytes\":\"" . $rx . "\",\"tx_bytes\":\"" . $tx . "\",\"rx_errors\":\"" . [/interface get $i rx-error] . "\",\"tx_errors\":\"" . [/interface get $i tx-error] . "\",\"rx_drops\":\"" . [/interface get $i rx-drop] . "\",\"tx_drops\":\"" . [/interface get $i tx-drop] . "\",\"oper_up\":" . $oper . "}")
  :if ($n = $pwWan) do={ :set wanTotal ($rx + $tx) }
}

:local extra ""
:if ([:len $wanTotal] > 0) do={ :set extra (",\"wan\":\"" . $pwWan . "\"") }

:local lte ""
:do {
  /interface lte monitor [find name=$pwLte] once do={
    :local parts ({})
    :foreach p in={{"rsrp_dbm";$rsrp};{"rsrq_db";$rsrq};{"sinr_db";$sinr};{"rssi_dbm";$rssi};{"cell_id";$"current-cellid"};{"enb_id";$"enb-id"}} do={
      :local v [$numOf ($p->1)]
      :if ([:len $v] > 0) do={ :set parts ($parts, ("\"" . ($p->0) . "\":" . $v)) }
    }
    :set parts ($parts, ("\"operator\":\"" . [$clean $"current-operator"] . "\""))
    :local band [:tostr $"primary-band"]
    :if ([:typeof [:find $band "@"]] = "num") do={ :set band [:pick $band 0 [:find $band "@"]] }
    :set parts ($parts, ("\"band\":\"" . [$clean $band] . "\""))
    :foreach p in=$parts do={
      :if ([:len $lte] > 0) do={ :set lte ($lte . ",") }
      :set lte ($lte . $p)
    }
  }
} on-error={ :log warning "pointwatch-report: no LTE monitor for $pwLte" }
:if ([:len $lte] > 0) do={ :set extra ($extra . ",\"lte\":{" . $lte . "}") }

# data used since the last report, from the WAN counters
:global pwLastWanTotal
:if ([:len $wanTotal] > 0) do={
  :if ([:typeof $pwLastWanTotal] = "num" && $wanTotal >= $pwLastWanTotal) do={
    :set extra ($extra . ",\"data\":{\"used_bytes\":\"" . ($wanTotal - $pwLastWanTotal) . "\"}")
  }
  :set pwLastWanTotal $wanTotal
}

:local body ("{\"v\":1,\"site\":\"" . $pwSite . "\",\"uptime_s\":" . $up . ",\"interfaces\":[" . $ifs . "]" . $extra . "}")

# HMAC-SHA512(key, "<ts>.<body>") from :convert transform=sha512 (block size 128 bytes)
:local ts [:tonum [:timestamp]]
:local k [:convert to=byte-array $pwKey]
:local ipad ""
:local opad ""
:for j from=0 to=127 do={
  :local b 0
  :if ($j < [:len $k]) do={ :set b ($k->$j) }
  :set ipad ($ipad . [:convert from=byte-array to=raw ({($b ^ 54)})])
  :set opad ($opad . [:convert from=byte-array to=raw ({($b ^ 92)})])
}
:local inner [:convert transform=sha512 ($ipad . $ts . "." . $body)]
:local sig [:convert to=hex [:convert transform=sha512 ($opad . $inner)]]

:do {
  /tool fetch url=($pwUrl . "/api/v1/push/" . $pwSite) http-method=post check-certificate=yes \
    http-header-field=("Content-Type:application/json,X-Pointwatch-Timestamp:" . $ts . ",X-Pointwatch-Signature:sha512=" . $sig) \
    http-data=$body output=none
} on-error={ :log warning "pointwatch-report: report refused or not delivered" }
