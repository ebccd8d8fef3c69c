/**
 * How full the WAN link is (pure). Judged against the contracted package when the site gives one
 * (`bandwidth.down_mbps` / `up_mbps`): a 100 Mbit/s port on a 30 Mbit/s fibre package is full at 30.
 * Download is the WAN interface's in-rate, upload its out-rate; a direction without a package
 * falls back to the port speed.
 */
import type { InterfaceRates } from '../core/types.js';
import type { Site } from '../config/schema.js';

export interface Saturation {
  pct: number;
  direction: 'down' | 'up';
  /** What 100 % is: the contracted package or the interface speed. */
  basis: 'contracted' | 'port';
  capacity_bps: number;
}

type Rates = Pick<InterfaceRates, 'in_bps' | 'out_bps' | 'speed_bps'>;

/** The fuller direction of the link, or null when nothing can be judged (no rate, no capacity). */
export function wanSaturation(wan: Rates, bandwidth: Site['bandwidth']): Saturation | null {
  const port = wan.speed_bps && wan.speed_bps > 0 ? wan.speed_bps : null;
  const sides = [
    { direction: 'down' as const, bps: wan.in_bps, contracted: bandwidth?.down_mbps },
    { direction: 'up' as const, bps: wan.out_bps, contracted: bandwidth?.up_mbps },
  ];
  let worst: Saturation | null = null;
  for (const s of sides) {
    if (s.bps === null) continue;
    const capacity = s.contracted !== undefined ? s.contracted * 1e6 : port;
    if (capacity === null) continue;
    const pct = (s.bps / capacity) * 100;
    if (!worst || pct > worst.pct) worst = { pct, direction: s.direction, basis: s.contracted !== undefined ? 'contracted' : 'port', capacity_bps: capacity };
  }
  return worst;
}
