import dgram from 'node:dgram';
import fs from 'node:fs';

/** A free TCP port on 127.0.0.1 (the OS picks it): the same function local daemons use. */
export { freeLoopbackPort as freeTcpPort } from '../../src/store/local-influxd.js';

/** The first port the kernel hands out to sockets bound to port 0 (ephemeral range). */
function ephemeralLow(): number {
  try {
    const lo = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(lo) && lo > 2048 ? lo : 32768;
  } catch {
    return 32768;
  }
}

/**
 * `n` distinct free UDP ports on 127.0.0.1, for daemons a test starts (snmpd, snmpsim).
 * Taken BELOW the ephemeral range, from a random start: a port the OS picked for us (bind 0) is
 * free again the moment we release it, and any client socket of a test running beside this one
 * (net-snmp sessions, fping, DNS) may get it before the daemon binds it. Ports below the range
 * are only ever taken by an explicit bind. Each is checked free (held together, then released).
 */
export async function freeUdpPorts(n: number): Promise<number[]> {
  const top = ephemeralLow() - 1;
  const bottom = 10_000;
  if (top - bottom < n * 4) throw new Error(`freeUdpPorts: no room below the ephemeral range for ${n} ports`);
  const sockets: dgram.Socket[] = [];
  let port = bottom + Math.floor(Math.random() * (top - bottom - n * 2));
  try {
    while (sockets.length < n) {
      if (port > top) throw new Error(`freeUdpPorts: fewer than ${n} free UDP ports below ${top + 1}`);
      const s = dgram.createSocket('udp4');
      const ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.bind(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) sockets.push(s);
      else s.close();
      port++;
    }
    return sockets.map((s) => s.address().port);
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
