/**
 * Vendor extras: what a site's `vendor` adds to a poll after the system group and interfaces
 * (public vendor MIBs, OIDs in oids.ts). Best effort: an extra that fails leaves the main result as
 * it is. Adding one = a function here and a line in VENDOR_EXTRAS (the compiler checks the keys).
 */
import type { SnmpResult } from '../../core/types.js';
import type { VENDORS } from '../../config/schema.js';
import { isExceptionType, T, type Vb } from './decode.js';
import { VENDOR } from './oids.js';
import { decodeMikrotikLte, MTXR_LTE_ENTRY } from './vendor-lte.js';

/** What an extra may ask of the agent (the probe's session, per-agent limits and deadline included). */
export interface VendorAsk {
  get(oids: readonly string[]): Promise<Vb[]>;
  /** One column walked to its end (sized by the rows it had last time). */
  walkColumn(oid: string): Promise<Vb[]>;
}

/** Fills fields of `result`; may throw (the probe ignores an extra's failure). */
export type VendorExtra = (ask: VendorAsk, result: SnmpResult) => Promise<void>;

/** Sum of the numeric rows of a column (undefined when it has none). */
export function sumRows(rows: readonly Vb[]): number | undefined {
  let sum = 0;
  let any = false;
  for (const r of rows) {
    if ((r.type === T.Gauge32 || r.type === T.Integer || r.type === T.Counter32) && typeof r.value === 'number') { sum += r.value; any = true; }
  }
  return any ? sum : undefined;
}

/** MikroTik: mtxrWlRtabEntryCount.0, else the sum of mtxrWlApClientCount. */
export const mikrotikWirelessClients: VendorExtra = async (ask, result) => {
  const [vb] = await ask.get([VENDOR.mikrotik_wireless_clients]).catch(() => [] as Vb[]);
  const n = vb && !isExceptionType(vb.type) && typeof vb.value === 'number' ? vb.value : sumRows(await ask.walkColumn(VENDOR.mikrotik_ap_client_count));
  if (n !== undefined) result.wireless_clients = n;
};

/** Ubiquiti airMAX: the sum of ubntWlStatStaCount over the radios. */
export const ubiquitiStations: VendorExtra = async (ask, result) => {
  const n = sumRows(await ask.walkColumn(VENDOR.ubiquiti_sta_count));
  if (n !== undefined) result.wireless_clients = n;
};

/** MikroTik LTE modem figures (mtxrLTEModemTable, vendor-lte.ts): the same fields a push report carries. */
export const mikrotikLte: VendorExtra = async (ask, result) => {
  const lte = decodeMikrotikLte(await ask.walkColumn(MTXR_LTE_ENTRY));
  if (lte) result.lte = lte;
};

export const VENDOR_EXTRAS = {
  generic: [],
  mikrotik: [mikrotikWirelessClients, mikrotikLte],
  ubiquiti: [ubiquitiStations],
} satisfies Record<(typeof VENDORS)[number], readonly VendorExtra[]>;
