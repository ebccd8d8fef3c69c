import { describe, expect, it } from 'vitest';
import { decodeMikrotikLte, MTXR_LTE_ENTRY } from './vendor-lte.js';

const vb = (col: number, idx: number, value: unknown) => ({ oid: `${MTXR_LTE_ENTRY}.${col}.${idx}`, value });

describe('decodeMikrotikLte', () => {
  const cases: Array<{ name: string; vbs: Array<{ oid: string; value: unknown }>; want: unknown }> = [
    {
      name: 'one modem: every figure, eNB from the cell id',
      vbs: [vb(2, 9, -75), vb(3, 9, -13), vb(4, 9, -104), vb(5, 9, 23592961), vb(7, 9, 3)],
      want: { rssi_dbm: -75, rsrq_db: -13, rsrp_dbm: -104, cell_id: 23592961, enb_id: 92160, sinr_db: 3 },
    },
    { name: 'no table (not an LTE model)', vbs: [], want: undefined },
    {
      name: 'no signal yet: zeros are left out, not reported as 0 dBm',
      vbs: [vb(2, 9, 0), vb(3, 9, 0), vb(4, 9, 0), vb(5, 9, 0), vb(7, 9, 0)],
      want: undefined,
    },
    {
      name: 'two modems: the first interface',
      vbs: [vb(4, 12, -90), vb(4, 9, -110), vb(7, 12, 10)],
      want: { rsrp_dbm: -110 },
    },
    {
      name: 'a modem with no RSRP is skipped for the next one',
      vbs: [vb(7, 1, 0), vb(4, 2, -99)],
      want: { rsrp_dbm: -99 },
    },
    {
      name: 'odd varbinds (another column, a string, a deeper index, another subtree) are skipped',
      vbs: [vb(6, 9, 5), vb(4, 9, '-100'), { oid: `${MTXR_LTE_ENTRY}.4.9.1`, value: -99 }, { oid: '1.3.6.1.4.1.14988.1.1.16.2.1', value: -98 }, vb(7, 9, 12.5), vb(4, 9, -101)],
      want: { sinr_db: 12.5, rsrp_dbm: -101 },
    },
  ];
  for (const c of cases) it(c.name, () => expect(decodeMikrotikLte(c.vbs)).toEqual(c.want));
});
