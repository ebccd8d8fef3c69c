import dgram from 'node:dgram';

/** A free TCP port on 127.0.0.1 (the OS picks it): the same function local daemons use. */
export { freeLoopbackPort as freeTcpPort } from '../../src/store/local-influxd.js';

/** `n` distinct free UDP ports on 127.0.0.1, held open together so they do not repeat. */
export async function freeUdpPorts(n: number): Promise<number[]> {
  const sockets: dgram.Socket[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => { s.once('error', reject); s.bind(0, '127.0.0.1', () => resolve()); });
      sockets.push(s);
    }
    return sockets.map((s) => s.address().port);
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
