/**
 * SNMP probe (net-snmp): system group and IF-MIB interfaces, v1/v2c/v3.
 * Never throws: every failure is an SnmpResult with status and reason (no secret in the reason).
 */
import type { Site, SnmpResult } from '../../core/types.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';

export interface SnmpProbeOptions {
  timeout_ms: number;
  retries: number;
  max_repetitions: number;
  /** Concurrent requests to one agent (host:port) at most (default 4). */
  per_agent_concurrency?: number;
}

export interface SnmpPollWhat { system: boolean; interfaces: boolean }

export interface SnmpProbe {
  poll(site: Site, what: SnmpPollWhat): Promise<SnmpResult>;
  close(): void;
}

export function createSnmpProbe(_opts: SnmpProbeOptions, _deps: { clock?: Clock; logger?: Logger } = {}): SnmpProbe {
  throw new Error('not implemented yet');
}
