/**
 * LTE figures of a MikroTik's modem over SNMP (MIKROTIK-MIB mtxrLTEModemTable, indexed by the LTE
 * interface's ifIndex): the same fields a push report carries (core/types.ts LteFigures), so a polled
 * MikroTik and a pushing one feed the same `lte` points and the same weak-signal alert.
 * Pure: varbinds in, figures out. Values outside what a modem can report (0 when it has no signal
 * yet) are left out, as the push report schema would refuse them; a modem without RSRP is none.
 */
import type { LteFigures } from '../../core/types.js';

/** mtxrLTEModemEntry and its columns (checked against the MIB as LibreNMS and Zabbix read it). */
export const MTXR_LTE_ENTRY = '1.3.6.1.4.1.14988.1.1.16.1.1';
const COLUMNS: Record<string, 'rssi_dbm' | 'rsrq_db' | 'rsrp_dbm' | 'cell_id' | 'sinr_db'> = {
  2: 'rssi_dbm', // mtxrLTEModemSignalRSSI
  3: 'rsrq_db', // mtxrLTEModemSignalRSRQ
  4: 'rsrp_dbm', // mtxrLTEModemSignalRSRP
  5: 'cell_id', // mtxrLTEModemCellId (HexInt)
  7: 'sinr_db', // mtxrLTEModemSignalSINR
};
const RANGE: Record<string, [number, number]> = {
  rssi_dbm: [-130, -1], rsrq_db: [-40, 10], rsrp_dbm: [-160, -30], sinr_db: [-30, 60], cell_id: [1, 268435455],
};

/** The first modem's figures (lowest ifIndex) from a walk of MTXR_LTE_ENTRY; undefined when none. */
export function decodeMikrotikLte(vbs: ReadonlyArray<{ oid: string; value: unknown }>): LteFigures | undefined {
  const rows = new Map<number, LteFigures>();
  for (const vb of vbs) {
    if (!vb.oid.startsWith(`${MTXR_LTE_ENTRY}.`)) continue;
    const [col, idx, ...rest] = vb.oid.slice(MTXR_LTE_ENTRY.length + 1).split('.').map(Number);
    const field = COLUMNS[col!];
    if (!field || idx === undefined || rest.length || typeof vb.value !== 'number') continue;
    const [lo, hi] = RANGE[field]!;
    if (!(vb.value >= lo && vb.value <= hi)) continue;
    const row = rows.get(idx) ?? {};
    row[field] = vb.value;
    if (field === 'cell_id') row.enb_id = vb.value >> 8; // E-UTRAN cell id = eNB id × 256 + sector
    rows.set(idx, row);
  }
  // a row without RSRP is a modem with no signal yet (it reports zeros): nothing to judge
  const first = [...rows.keys()].filter((k) => rows.get(k)!.rsrp_dbm !== undefined).sort((a, b) => a - b)[0];
  return first === undefined ? undefined : rows.get(first);
}
