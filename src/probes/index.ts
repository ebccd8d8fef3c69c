/**
 * The registry of probe kinds. Adding a kind = a folder beside ping/ and snmp/ plus one line here;
 * the compiler checks the map is complete (`satisfies Record<ProbeKind, ...>`).
 */
import { createPingProbe, type PingProbe, type PingOptions, type RunCommand } from './ping/index.js';
import { createSnmpProbe, type SnmpProbe, type SnmpProbeOptions } from './snmp/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';

export type ProbeKind = 'ping' | 'snmp';

export interface ProbeDeps { clock?: Clock; logger?: Logger; runCommand?: RunCommand }

export interface ProbeFactory<O, P> {
  /** What the probe measures, for docs and `--help`. */
  description: string;
  create(opts: O, deps?: ProbeDeps): P;
}

export const probes = {
  ping: {
    description: 'ICMP reachability, loss, RTT and jitter via fping (batched)',
    create: (opts: PingOptions, deps?: ProbeDeps): PingProbe => createPingProbe(opts, deps),
  },
  snmp: {
    description: 'SNMP v1/v2c/v3 system group and IF-MIB counters via net-snmp',
    create: (opts: SnmpProbeOptions, deps?: ProbeDeps): SnmpProbe => createSnmpProbe(opts, deps),
  },
} satisfies Record<ProbeKind, ProbeFactory<never, unknown>>;

export type { PingProbe, PingOptions, PingTarget, RunCommand } from './ping/index.js';
export type { SnmpProbe, SnmpProbeOptions, SnmpPollWhat } from './snmp/index.js';
