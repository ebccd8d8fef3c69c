#!/usr/bin/env python3
"""Writes the .snmprec devices used by tests/integration/probes (see README.md)."""
def key(line):
    return [int(x) for x in line.split('|')[0].split('.')]
def write(name, lines):
    lines = sorted(lines, key=key)
    open(name + '.snmprec', 'w').write('\n'.join(lines) + '\n')

def system(descr, objid, name, uptime='67:numeric|rate=100,initial=360000'):
    return [f'1.3.6.1.2.1.1.1.0|4|{descr}', f'1.3.6.1.2.1.1.2.0|6|{objid}', f'1.3.6.1.2.1.1.3.0|{uptime}', f'1.3.6.1.2.1.1.5.0|4|{name}']

def iftable(rows):
    # rows: list of (idx, descr, speed, in_spec, out_spec)
    out = [f'1.3.6.1.2.1.2.1.0|2|{len(rows)}']
    for idx, descr, speed, ins, outs in rows:
        out += [
            f'1.3.6.1.2.1.2.2.1.1.{idx}|2|{idx}',
            f'1.3.6.1.2.1.2.2.1.2.{idx}|4|{descr}',
            f'1.3.6.1.2.1.2.2.1.5.{idx}|66|{speed}',
            f'1.3.6.1.2.1.2.2.1.7.{idx}|2|1',
            f'1.3.6.1.2.1.2.2.1.8.{idx}|2|1',
            f'1.3.6.1.2.1.2.2.1.10.{idx}|{ins}',
            f'1.3.6.1.2.1.2.2.1.13.{idx}|65|0',
            f'1.3.6.1.2.1.2.2.1.14.{idx}|65:numeric|rate=2,initial=10',
            f'1.3.6.1.2.1.2.2.1.16.{idx}|{outs}',
            f'1.3.6.1.2.1.2.2.1.19.{idx}|65|0',
            f'1.3.6.1.2.1.2.2.1.20.{idx}|65|0',
        ]
    return out

# 32-bit only 3G router: no ifXTable. ppp0 in: 1 Mbit/s, wraps ~8 s after snmpsimd starts.
write('old32', system('Old 3G router (32-bit counters only)', '1.3.6.1.4.1.99999.1', 'old32') + iftable([
    (1, 'lo', 10000000, '65|1000', '65|1000'),
    (2, 'ppp0', 7200000, f'65:numeric|rate=125000,initial={2**32 - 1 - 125000 * 8},wrap=1', '65:numeric|rate=25000,initial=5000'),
]))

# 64-bit router: ifXTable with HC counters; ether1 in: 10 Mbit/s starting near 2^64 (wraps ~9 s after start).
rows = [(1, 'ether1', 100000000, '65:numeric|rate=1250000,initial=1000,wrap=1', '65:numeric|rate=250000,initial=1000,wrap=1'),
        (2, 'wlan1', 54000000, '65|5000', '65|6000')]
xt = []
for idx, name, hs, hcin, hcout in [
    (1, 'ether1', 100, f'70:numeric|rate=1250000,initial={2**64 - 1250000 * 9},wrap=1', '70:numeric|rate=250000,initial=1000'),
    (2, 'wlan1', 54, '70|5000', '70|6000')]:
    xt += [f'1.3.6.1.2.1.31.1.1.1.1.{idx}|4|{name}', f'1.3.6.1.2.1.31.1.1.1.6.{idx}|{hcin}', f'1.3.6.1.2.1.31.1.1.1.10.{idx}|{hcout}', f'1.3.6.1.2.1.31.1.1.1.15.{idx}|66|{hs}']
write('moving64', system('MikroTik RouterOS RB951', '1.3.6.1.4.1.14988.1', 'moving64') + iftable(rows) + xt +
      ['1.3.6.1.4.1.14988.1.1.1.4.0|66|7'])

# Wrong types: ifHCInOctets.1 answered as a string, ifOperStatus.2 as a Counter32.
bad = system('Broken agent', '1.3.6.1.4.1.99999.2', 'badtypes') + iftable([(1, 'eth0', 100000000, '65|100', '65|200'), (2, 'eth1', 100000000, '65|100', '65|200')])
bad = [l for l in bad if not l.startswith('1.3.6.1.2.1.2.2.1.8.2|')] + ['1.3.6.1.2.1.2.2.1.8.2|65|1']
bad += ['1.3.6.1.2.1.31.1.1.1.1.1|4|eth0', '1.3.6.1.2.1.31.1.1.1.6.1|4|oops', '1.3.6.1.2.1.31.1.1.1.10.1|70|200']
write('badtypes', bad)

# sysUpTime answered as a string (no usable uptime).
write('badsys', [l if not l.startswith('1.3.6.1.2.1.1.3.0|') else '1.3.6.1.2.1.1.3.0|4|up 3 days' for l in system('Broken sys', '1.3.6.1.4.1.99999.3', 'badsys')])

# Slow agent: every system read waits 3 s (snmpsimd sleeps; run it in its own process).
write('slow', system('Slow agent', '1.3.6.1.4.1.99999.4', 'slow', uptime='67:delay|value=360000,wait=3000'))

# Ubiquiti airMAX: two radios reporting 5 and 3 stations (UBNT-AirMAX-MIB ubntWlStatStaCount).
write('ubnt', system('Linux 2.6.32.68 #1 Mon Jan 15 2024 mips', '1.3.6.1.4.1.10002.1', 'ubnt') + iftable([(1, 'eth0', 100000000, '65|100', '65|200'), (2, 'ath0', 0, '65|100', '65|200')]) +
      ['1.3.6.1.4.1.41112.1.4.5.1.15.1|66|5', '1.3.6.1.4.1.41112.1.4.5.1.15.2|66|3'])

# MikroTik RouterOS 7 style: no mtxrWlRtabEntryCount scalar, per-AP mtxrWlApClientCount (4 + 2).
write('mikrotik7', system('RouterOS RB4011', '1.3.6.1.4.1.14988.1', 'mikrotik7') + iftable([(1, 'ether1', 1000000000, '65|100', '65|200')]) +
      ['1.3.6.1.4.1.14988.1.1.1.3.1.6.3|66|4', '1.3.6.1.4.1.14988.1.1.1.3.1.6.4|66|2'])

# sysUpTime 8 s before the 2^32-tick (497-day) wrap: it wraps about 8 s after snmpsimd starts.
write('wrapuptime', system('Router up for 497 days', '1.3.6.1.4.1.99999.5', 'wrapuptime', uptime=f'67:numeric|rate=100,initial={2**32 - 1 - 800},wrap=1'))
