/**
 * An SnmpClient that answers from a captured agent (testdata/*.json, written from real snmpd and
 * snmpsim by tests/integration/probes/capture-snmp-fixtures.ts), with GET / GETNEXT / GETBULK
 * semantics over the sorted MIB (RFC 3416: getNext runs past a column into the next one, then
 * endOfMibView; v1 answers noSuchName). Records every request, so tests assert what a poll asks.
 * For unit tests of the poll plan and the probe; never used in production.
 */
import { readFileSync } from 'node:fs';
import { T, type Vb } from './decode.js';
import { AGENT_ERROR, SnmpFailure, type SnmpClient, type SnmpClientStats, type SnmpSession } from './client.js';
import { IF_NUMBER, IF_TABLE, IF_X_TABLE } from './oids.js';
import { compareOids } from './walk.js';

type JsonVb = { oid: string; type: number; value: number | string | null | { hex: string } };

/** A request as the agent saw it. */
export interface FakeRequest { site: string; pdu: 'get' | 'getNext' | 'getBulk'; oids: readonly string[]; nonRepeaters?: number; repetitions?: number }

/** One agent's MIB: varbinds sorted by OID. */
export class FakeAgent {
  private vbs: Vb[];
  constructor(vbs: Vb[]) { this.vbs = [...vbs].sort((a, b) => compareOids(a.oid, b.oid)); }

  /** A capture from testdata/ (system GET + one walk per IF-MIB column); ifNumber.0 added from the rows seen. */
  static fromCapture(name: string): FakeAgent {
    const d = JSON.parse(readFileSync(new URL(`./testdata/${name}.json`, import.meta.url), 'utf8')) as { system: JsonVb[]; columns: Record<string, JsonVb[]> };
    const toVb = (j: JsonVb): Vb => ({ oid: j.oid, type: j.type, value: j.value !== null && typeof j.value === 'object' ? Buffer.from(j.value.hex, 'hex') : j.value });
    const vbs = [...d.system, ...Object.values(d.columns).flat()].map(toVb);
    const rows = new Set(vbs.filter((v) => v.oid.startsWith(`${IF_TABLE.ifDescr}.`)).map((v) => v.oid));
    if (!vbs.some((v) => v.oid === IF_NUMBER)) vbs.push({ oid: IF_NUMBER, type: T.Integer, value: rows.size });
    return new FakeAgent(vbs);
  }

  all(): readonly Vb[] { return this.vbs; }

  /** Replace or add one object (a counter that moved, sysUpTime after a reboot); value null removes it. */
  set(oid: string, type: number, value: unknown): void {
    this.vbs = this.vbs.filter((v) => v.oid !== oid);
    if (value !== null) this.vbs = [...this.vbs, { oid, type, value }].sort((a, b) => compareOids(a.oid, b.oid));
  }

  /** Remove every row `index` of the IF-MIB tables (an interface gone) and set ifNumber.0 to match. */
  dropInterface(index: number): void {
    const cols = [...Object.values(IF_TABLE), ...Object.values(IF_X_TABLE)];
    this.vbs = this.vbs.filter((v) => !cols.some((c) => v.oid === `${c}.${index}`));
    const n = new Set(this.vbs.filter((v) => v.oid.startsWith(`${IF_TABLE.ifDescr}.`)).map((v) => v.oid)).size;
    this.set(IF_NUMBER, T.Integer, n);
  }

  get(oid: string): Vb {
    return this.vbs.find((v) => v.oid === oid) ?? { oid, type: T.NoSuchObject, value: null };
  }

  next(oid: string): Vb {
    return this.vbs.find((v) => compareOids(v.oid, oid) > 0) ?? { oid, type: T.EndOfMibView, value: null };
  }
}

export interface FakeClientOptions {
  /** The agent behind each site id (a site without one times out). */
  agents: Record<string, FakeAgent>;
  /** The agent's SNMP version per site (default '2c'). */
  versions?: Record<string, '1' | '2c' | '3'>;
  /** Sites whose requests fail with this (e.g. a timeout), checked per request. */
  fail?: (site: string, req: FakeRequest) => SnmpFailure | null;
}

export interface FakeClient extends SnmpClient { readonly requests: FakeRequest[] }

const v1NoSuchName = (oid: string) => new SnmpFailure('error', `${AGENT_ERROR}NoSuchName: ${oid}`);

export function createFakeClient(o: FakeClientOptions): FakeClient {
  const requests: FakeRequest[] = [];
  const sessions = new Map<string, SnmpSession>();
  const answer = async <R>(site: string, req: FakeRequest, fn: (a: FakeAgent) => R): Promise<R> => {
    requests.push(req);
    await Promise.resolve();
    const failure = o.fail?.(site, req);
    if (failure) throw failure;
    const agent = o.agents[site];
    if (!agent) throw new SnmpFailure('timeout', 'no response within 2000 ms × 3 tries (agent down, unreachable, or wrong community)');
    return fn(agent);
  };
  return {
    requests,
    open(t) {
      let s = sessions.get(t.site);
      if (s) return s;
      const version = o.versions?.[t.site] ?? '2c';
      const site = t.site;
      s = {
        version,
        get: (oids) => answer(site, { site, pdu: 'get', oids }, (a) => {
          const vbs = oids.map((oid) => a.get(oid));
          const missing = version === '1' ? vbs.find((v) => v.type === T.NoSuchObject) : undefined;
          if (missing) throw v1NoSuchName(missing.oid);
          return vbs;
        }),
        getNext: (oids) => answer(site, { site, pdu: 'getNext', oids }, (a) => {
          const vbs = oids.map((oid) => a.next(oid));
          const end = version === '1' ? vbs.findIndex((v) => v.type === T.EndOfMibView) : -1;
          if (end >= 0) throw v1NoSuchName(oids[end]!);
          return vbs;
        }),
        getBulk: (oids, nonRepeaters, repetitions) => answer(site, { site, pdu: 'getBulk', oids, nonRepeaters, repetitions }, (a) => {
          if (version === '1') throw new SnmpFailure('error', 'GETBULK is not in SNMPv1');
          const out: Array<Vb | Vb[]> = oids.slice(0, nonRepeaters).map((oid) => a.next(oid));
          for (const oid of oids.slice(nonRepeaters)) {
            const col: Vb[] = [];
            let at = oid;
            for (let r = 0; r < repetitions; r++) {
              const vb = a.next(at);
              col.push(vb);
              if (vb.type === T.EndOfMibView) break;
              at = vb.oid;
            }
            out.push(col);
          }
          return out;
        }),
      };
      sessions.set(t.site, s);
      return s;
    },
    close() { sessions.clear(); },
    stats(): SnmpClientStats { return { sessions: sessions.size, open_sessions: sessions.size, sessions_made: sessions.size }; },
  };
}
