/**
 * Counter math (pure): Counter32/64 deltas, reboot detection, rates that never spike.
 */
import type { InterfaceCounters, InterfaceRates, SnmpResult } from '../core/types.js';

export function counterDelta(_prev: bigint, _cur: bigint, _bits: 32 | 64): bigint | null {
  throw new Error('not implemented yet');
}

export interface UptimeSample { ticks: number; ts: number }

export function detectReboot(_prev: UptimeSample, _cur: UptimeSample): { rebooted: boolean; rebooted_at: number | null } {
  throw new Error('not implemented yet');
}

export interface CounterTrackerOptions { implausible_margin?: number; max_gap_factor?: number }
export interface TrackerUpdate { uptime_s: number | null; rebooted: boolean; rebooted_at: number | null; rates: InterfaceRates[] }

export class CounterTracker {
  constructor(_opts: CounterTrackerOptions = {}) {}
  update(_site: string, _snmp: SnmpResult, _interval_s: number): TrackerUpdate {
    throw new Error('not implemented yet');
  }
  forget(_site: string): void {}
}

export function pickWanInterface(_ifaces: InterfaceCounters[], _configured?: string): { name: string; chosen_by: string } | null {
  throw new Error('not implemented yet');
}
