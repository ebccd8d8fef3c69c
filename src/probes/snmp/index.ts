/**
 * SNMP probe (v1/v2c/v3): system group, IF-MIB interfaces, vendor extras. Split like a Telegraf plugin:
 *   client.ts           the SnmpClient seam (get / getNext / getBulk per site) and SnmpFailure
 *   live-client.ts      the production client: a session per site (v1/v2c: community.ts + ber.ts; v3: net-snmp),
 *                       shared UDP sockets (udp-pool.ts), per-agent cap, error classes
 *   fake-client.ts      a client that answers from captured agents (testdata/): unit tests without snmpd
 *   plan.ts             what a poll asks (steady vs full walk, sizes) and learns for the next (pure)
 *   probe.ts            the poll: requests, walks (walk.ts), decoding (decode.ts); never throws
 *   vendor.ts           vendor extras (MikroTik, Ubiquiti)
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { createLiveClient, type LiveClientOptions } from './live-client.js';
import { createProbe, type SnmpPlanOptions, type SnmpProbe } from './probe.js';

export type SnmpProbeOptions = SnmpPlanOptions & LiveClientOptions;
export type { SnmpProbe, SnmpPollWhat } from './probe.js';

/** The production probe: the live client underneath. */
export function createSnmpProbe(opts: SnmpProbeOptions, deps: { clock?: Clock; logger?: Logger } = {}): SnmpProbe {
  return createProbe(createLiveClient(opts, { logger: deps.logger }), opts, deps);
}
