/**
 * Every OID pointwatch reads, numeric, with its MIB name. No runtime MIB parsing.
 */
export const SYSTEM = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysName: '1.3.6.1.2.1.1.5.0',
} as const;

/** IF-MIB ifNumber.0: rows in ifTable (read with the system GET to size the first walk). */
export const IF_NUMBER = '1.3.6.1.2.1.2.1.0';

/** IF-MIB ifTable (ifEntry = .1.3.6.1.2.1.2.2.1): columns we read. */
export const IF_TABLE = {
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifInOctets: '1.3.6.1.2.1.2.2.1.10',
  ifInDiscards: '1.3.6.1.2.1.2.2.1.13',
  ifInErrors: '1.3.6.1.2.1.2.2.1.14',
  ifOutOctets: '1.3.6.1.2.1.2.2.1.16',
  ifOutDiscards: '1.3.6.1.2.1.2.2.1.19',
  ifOutErrors: '1.3.6.1.2.1.2.2.1.20',
} as const;

/** IF-MIB ifXTable (ifXEntry = .1.3.6.1.2.1.31.1.1.1): columns we read. */
export const IF_X_TABLE = {
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  ifHCOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
} as const;

/** Vendor profiles: wireless client counts (public MIBs). */
export const VENDOR = {
  /** MIKROTIK-MIB mtxrWlRtabEntryCount.0: registration table entries (all wireless interfaces). */
  mikrotik_wireless_clients: '1.3.6.1.4.1.14988.1.1.1.4.0',
  /** MIKROTIK-MIB mtxrWlApClientCount column (per AP interface; summed) — fallback when the scalar is absent. */
  mikrotik_ap_client_count: '1.3.6.1.4.1.14988.1.1.1.3.1.6',
  /** UBNT-AirMAX-MIB ubntWlStatStaCount column (per radio; summed). */
  ubiquiti_sta_count: '1.3.6.1.4.1.41112.1.4.5.1.15',
} as const;

export type IfColumn = keyof typeof IF_TABLE | keyof typeof IF_X_TABLE;
