/**
 * Captures raw varbinds from REAL agents into src/probes/snmp/testdata/*.json for the decoder's
 * unit tests. Run: `npx tsx tests/integration/probes/capture-snmp-fixtures.ts` (root, Debian snmpd + snmpsim).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import snmp from 'net-snmp';
import { startSnmpd } from '../../helpers/snmpd.js';
import { startSnmpsim, SNMPSIM_EXAMPLES } from '../../helpers/snmpsim.js';
import { freeUdpPorts } from '../../helpers/ports.js';
import { IF_TABLE, IF_X_TABLE, SYSTEM } from '../../../src/probes/snmp/oids.js';

const OUT = fileURLToPath(new URL('../../../src/probes/snmp/testdata/', import.meta.url));
const DATA = fileURLToPath(new URL('./data/', import.meta.url));

type Json = { oid: string; type: number; value: number | string | { hex: string } };
const enc = (raw: unknown): Json => {
  const vb = raw as { oid: string; type: number; value: unknown };
  return {
  oid: vb.oid,
  type: vb.type,
  value: Buffer.isBuffer(vb.value) ? { hex: vb.value.toString('hex') } : (vb.value as number | string),
  };
};

async function capture(port: number, community: string, version: 0 | 1) {
  const s = snmp.createSession('127.0.0.1', community, { port, version, timeout: 2000, retries: 1 });
  s.on('error', () => {});
  const system = await new Promise<Json[]>((res, rej) => s.get(Object.values(SYSTEM), (e, vbs) => (e ? rej(e) : res((vbs ?? []).map(enc)))));
  const columns: Record<string, Json[]> = {};
  for (const [name, oid] of Object.entries({ ...IF_TABLE, ...IF_X_TABLE })) {
    const rows: Json[] = [];
    await new Promise<void>((res, rej) => s.subtree(oid, 20, (vbs) => { for (const vb of vbs) rows.push(enc(vb)); }, (e) => (e ? rej(e) : res())));
    columns[name] = rows;
  }
  s.close();
  return { system, columns };
}

const [port] = await freeUdpPorts(1);
const agent = await startSnmpd({ ports: [port!], communities: ['public'], sysName: 'village-router' });
const sim = await startSnmpsim({
  files: [
    { name: 'winxp', from: `${SNMPSIM_EXAMPLES}/recorded/winxp-full-walk.snmprec.gz` },
    { name: 'badtypes', from: `${DATA}badtypes.snmprec` },
  ],
});
const when = new Date().toISOString();
const jobs: Array<[string, number, string, 0 | 1, string]> = [
  ['snmpd-v2c', port!, 'public', 1, 'snmpd 5.9.3 (Debian 12), v2c, this machine\'s interfaces'],
  ['snmpd-v1', port!, 'public', 0, 'snmpd 5.9.3 (Debian 12), v1 (no Counter64 in v1)'],
  ['snmpsim-winxp-v2c', sim.port, 'winxp', 1, 'snmpsim 0.4.5 recorded/winxp-full-walk (hex-encoded ifDescr, no ifXTable)'],
  ['snmpsim-badtypes-v2c', sim.port, 'badtypes', 1, 'snmpsim 0.4.5 tests/integration/probes/data/badtypes.snmprec (wrong types)'],
];
try {
  for (const [name, p, c, v, source] of jobs) {
    const data = await capture(p, c, v);
    writeFileSync(`${OUT}${name}.json`, `${JSON.stringify({ source, captured: when, ...data }, null, 1)}\n`);
    console.log(`wrote ${name}.json`);
  }
} finally {
  await agent.stop();
  await sim.stop();
}
