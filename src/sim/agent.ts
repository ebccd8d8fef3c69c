/**
 * One simulated router on the wire: a net-snmp AGENT (the library's own responder side) serving
 * SNMPv2-MIB system and IF-MIB ifTable (+ ifXTable with HC counters on 64-bit devices) from a
 * RouterModel. Every incoming datagram passes a gate first: the model's fault decides whether it
 * is answered, dropped (never answered) or answered late. Counters are brought up to date just
 * before each request is served.
 */
import dgram from 'node:dgram';
import snmp from 'net-snmp';
import type { Clock } from '../core/clock.js';
import { RouterModel, VENDOR_OID, sysDescr } from './model.js';

export interface SimCredentials {
  /** v2c/v1 community of every non-v3 device. */
  community: string;
  /** v3 user of v3 devices (authPriv, SHA + AES). */
  v3: { user: string; auth_key: string; priv_key: string };
}

export interface AgentStats {
  requests: number;
  answered: number;
  dropped: number;
  delayed: number;
}

const SYS = '1.3.6.1.2.1.1';
const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
const IFX_ENTRY = '1.3.6.1.2.1.31.1.1.1';

const T = snmp.ObjectType as unknown as Record<string, number>;
const RO = (snmp.MaxAccess as unknown as Record<string, number>)['read-only']!;
const NA = (snmp.MaxAccess as unknown as Record<string, number>)['not-accessible']!;

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, v));
  return b;
}
const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));

interface CellRefs {
  index: number;
  nodes: Array<{ node: { value: unknown }; get: (c: ReturnType<RouterModel['counters']['get']> & object) => unknown }>;
}

/** Internals of net-snmp we rely on (pinned version 3.29): the agent's listener sockets and MIB lookup. */
interface AgentInternals {
  listener: { sockets: Record<string, dgram.Socket> };
  getMib(): MibLike;
  getAuthorizer(): { addCommunity(c: string): void; addUser(u: unknown): void };
  close(cb?: () => void): void;
}
/**
 * net-snmp 3.29's agent caps a GETBULK response at `max-repetitions` varbinds IN TOTAL (not per
 * repeater, RFC 3416 4.2.3), so a manager walking 14 IF-MIB columns with max-repetitions 4 gets
 * 4 varbinds per round trip, where snmpd or a router gives 56. Replace it on this agent instance
 * with the RFC behaviour (N non-repeaters, then M rounds over the R repeaters; stop early once
 * every repeater left the MIB). Like a router, a response holds at most what fits about 1,500
 * bytes (MAX_BULK_VARBINDS); the library's agent spends ~0.1 ms per varbind, so bigger bulks
 * would also cost the simulator more than they save.
 */
const MAX_BULK_VARBINDS = 48;
function fixGetBulk(agent: AgentInternals): void {
  const a = agent as unknown as {
    addGetNextVarbind(out: unknown[], oid: string): { oid: string; type: number } | null;
    request(socket: unknown, msg: unknown, rinfo: unknown): void;
    getBulkRequest: (socket: unknown, msg: { pdu: { nonRepeaters: number; maxRepetitions: number; varbinds: Array<{ oid: string }> } }, rinfo: unknown) => void;
  };
  a.getBulkRequest = function (socket, msg, rinfo) {
    const pdu = msg.pdu;
    const vbs = pdu.varbinds;
    const out: unknown[] = [];
    const n = Math.min(Math.max(0, pdu.nonRepeaters | 0), vbs.length);
    for (let i = 0; i < n; i++) a.addGetNextVarbind(out, vbs[i]!.oid);
    const cur = vbs.slice(n).map((v) => v.oid);
    const ended = cur.map(() => false);
    const m = Math.max(0, pdu.maxRepetitions | 0);
    for (let rep = 0; rep < m && cur.length > 0 && !ended.every(Boolean) && out.length < MAX_BULK_VARBINDS; rep++) {
      for (let r = 0; r < cur.length; r++) {
        const next = ended[r] ? null : a.addGetNextVarbind(out, cur[r]!);
        if (ended[r]) out.push({ previousOid: cur[r], oid: cur[r], type: T.EndOfMibView, value: null });
        else if (!next || next.type === T.EndOfMibView) ended[r] = true;
        else cur[r] = next.oid;
      }
    }
    pdu.varbinds = out as never;
    a.request(socket, msg, rinfo);
  };
}

interface MibLike {
  registerProvider(p: unknown): void;
  setScalarValue(name: string, v: unknown): void;
  addTableRow(name: string, row: unknown[]): void;
  lookup(oid: string): { value: unknown } | null;
}

export class SimAgent {
  readonly stats: AgentStats = { requests: 0, answered: 0, dropped: 0, delayed: 0 };
  private cells: CellRefs[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    readonly model: RouterModel,
    private readonly agent: AgentInternals,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {}

  /**
   * Start an agent on `addresses` (each `127.0.0.x` or an address of the simulator's namespace veth)
   * at model.spec.port. Resolves once every socket is bound; rejects (and cleans up) if one is not.
   */
  static async start(
    model: RouterModel,
    opts: { addresses: string[]; clock: Clock; creds: SimCredentials; random?: () => number },
  ): Promise<SimAgent> {
    const spec = model.spec;
    let bindError: Error | null = null;
    const agent = snmp.createAgent(
      {
        sockets: opts.addresses.map((address) => ({ transport: 'udp4', address, port: spec.port })),
        disableAuthorization: false,
        engineID: '8000B98380' + (spec.seed >>> 0).toString(16).padStart(8, '0') + spec.port.toString(16).padStart(8, '0') + '0000000000000000',
      },
      (err: Error | null) => {
        // Errors about single bad packets (auth failures, garbage) are part of the simulation: ignore.
        if (err && (err as NodeJS.ErrnoException).code) bindError = err;
      },
    ) as AgentInternals;
    fixGetBulk(agent);
    const auth = agent.getAuthorizer();
    if (spec.v3) {
      auth.addUser({
        name: opts.creds.v3.user,
        level: snmp.SecurityLevel.authPriv,
        authProtocol: snmp.AuthProtocols.sha,
        authKey: opts.creds.v3.auth_key,
        privProtocol: snmp.PrivProtocols.aes,
        privKey: opts.creds.v3.priv_key,
      });
    } else {
      auth.addCommunity(opts.creds.community);
    }
    const sim = new SimAgent(model, agent, opts.clock, opts.random ?? Math.random);
    sim.populate(agent.getMib());
    const sockets = Object.values(agent.listener.sockets);
    await Promise.all(
      sockets.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            const onErr = (e: Error) => reject(e);
            s.once('error', onErr);
            s.once('listening', () => {
              s.off('error', onErr);
              resolve();
            });
          }),
      ),
    ).catch(async (e: unknown) => {
      await sim.close();
      throw e;
    });
    if (bindError) {
      await sim.close();
      throw bindError;
    }
    for (const s of sockets) sim.gate(s);
    return sim;
  }

  /** Put our gate in front of the agent's own 'message' listener. */
  private gate(socket: dgram.Socket): void {
    const inner = socket.listeners('message') as Array<(buf: Buffer, rinfo: dgram.RemoteInfo) => void>;
    socket.removeAllListeners('message');
    socket.on('message', (buf: Buffer, rinfo: dgram.RemoteInfo) => {
      this.stats.requests++;
      const now = this.clock.now();
      const d = this.model.decide(now, this.random());
      const serve = () => {
        if (this.closed) return;
        this.refresh(this.clock.now());
        this.stats.answered++;
        for (const l of inner) l(buf, rinfo);
      };
      if (d.action === 'drop') {
        this.stats.dropped++;
        return;
      }
      if (d.action === 'delay') {
        this.stats.delayed++;
        const t = setTimeout(() => {
          this.timers.delete(t);
          serve();
        }, d.ms);
        this.timers.add(t);
        return;
      }
      serve();
    });
  }

  private populate(mib: MibLike): void {
    const spec = this.model.spec;
    const model = this.model;
    const clock = this.clock;
    const scalar = (name: string, sub: number, type: number, value: unknown, handler?: (req: { instanceNode: { value: unknown }; done(): void }) => void) => {
      mib.registerProvider({ name, type: snmp.MibProviderType.Scalar, oid: `${SYS}.${sub}`, scalarType: type, maxAccess: RO, handler });
      mib.setScalarValue(name, value);
    };
    scalar('sysDescr', 1, T.OctetString!, sysDescr(spec));
    scalar('sysObjectID', 2, T.OID!, VENDOR_OID[spec.vendor]);
    scalar('sysUpTime', 3, T.TimeTicks!, model.uptimeTicks(clock.now()), (req) => {
      model.advance(clock.now());
      req.instanceNode.value = model.uptimeTicks(clock.now());
      req.done();
    });
    scalar('sysContact', 4, T.OctetString!, 'commune IT <it@example.org>');
    scalar('sysName', 5, T.OctetString!, spec.id);
    scalar('sysLocation', 6, T.OctetString!, `simulated ${spec.uplink} site`);
    // SNMP-FRAMEWORK-MIB snmpEngine group: real agents serve it after mib-2, and it keeps a walk of
    // ifXTable on a 32-bit-only device ending on a real OID (net-snmp 3.29's agent turns
    // endOfMibView into noSuchObject).
    const ENGINE = '1.3.6.1.6.3.10.2.1';
    mib.registerProvider({ name: 'snmpEngineID', type: snmp.MibProviderType.Scalar, oid: `${ENGINE}.1`, scalarType: T.OctetString, maxAccess: RO });
    mib.setScalarValue('snmpEngineID', Buffer.from('80001f8880' + (spec.seed >>> 0).toString(16).padStart(8, '0'), 'hex'));
    mib.registerProvider({
      name: 'snmpEngineBoots', type: snmp.MibProviderType.Scalar, oid: `${ENGINE}.2`, scalarType: T.Integer, maxAccess: RO,
      handler: (req: { instanceNode: { value: unknown }; done(): void }) => { req.instanceNode.value = model.reboots + 1; req.done(); },
    });
    mib.setScalarValue('snmpEngineBoots', 1);
    mib.registerProvider({
      name: 'snmpEngineTime', type: snmp.MibProviderType.Scalar, oid: `${ENGINE}.3`, scalarType: T.Integer, maxAccess: RO,
      handler: (req: { instanceNode: { value: unknown }; done(): void }) => {
        req.instanceNode.value = Math.floor((clock.now() - model.bootAt) / 1000) % 2 ** 31;
        req.done();
      },
    });
    mib.setScalarValue('snmpEngineTime', 0);
    mib.registerProvider({ name: 'ifNumber', type: snmp.MibProviderType.Scalar, oid: '1.3.6.1.2.1.2.1', scalarType: T.Integer, maxAccess: RO });
    mib.setScalarValue('ifNumber', spec.interfaces.length);

    const col = (number: number, name: string, type: number) => ({ number, name, type, maxAccess: RO });
    mib.registerProvider({
      name: 'ifTable',
      type: snmp.MibProviderType.Table,
      oid: IF_ENTRY,
      maxAccess: NA,
      tableColumns: [
        col(1, 'ifIndex', T.Integer!), col(2, 'ifDescr', T.OctetString!), col(3, 'ifType', T.Integer!),
        col(4, 'ifMtu', T.Integer!), col(5, 'ifSpeed', T.Gauge!), col(6, 'ifPhysAddress', T.OctetString!),
        col(7, 'ifAdminStatus', T.Integer!), col(8, 'ifOperStatus', T.Integer!), col(9, 'ifLastChange', T.TimeTicks!),
        col(10, 'ifInOctets', T.Counter!), col(11, 'ifInUcastPkts', T.Counter!), col(13, 'ifInDiscards', T.Counter!),
        col(14, 'ifInErrors', T.Counter!), col(16, 'ifOutOctets', T.Counter!), col(17, 'ifOutUcastPkts', T.Counter!),
        col(19, 'ifOutDiscards', T.Counter!), col(20, 'ifOutErrors', T.Counter!),
      ],
      tableIndex: [{ columnName: 'ifIndex' }],
    });
    if (spec.hc) {
      mib.registerProvider({
        name: 'ifXTable',
        type: snmp.MibProviderType.Table,
        oid: IFX_ENTRY,
        maxAccess: NA,
        tableColumns: [
          col(1, 'ifName', T.OctetString!), col(6, 'ifHCInOctets', T.Counter64!), col(7, 'ifHCInUcastPkts', T.Counter64!),
          col(10, 'ifHCOutOctets', T.Counter64!), col(11, 'ifHCOutUcastPkts', T.Counter64!),
          col(15, 'ifHighSpeed', T.Gauge!), col(18, 'ifAlias', T.OctetString!),
        ],
        tableAugments: 'ifTable',
      });
    }
    model.advance(clock.now());
    for (const i of spec.interfaces) {
      const c = model.counters.get(i.index)!;
      mib.addTableRow('ifTable', [
        i.index, i.descr, i.type, 1500, Math.min(i.speed_bps, 2 ** 32 - 1), Buffer.from(i.mac.replace(/:/g, ''), 'hex'),
        1, 1, 0, u32(c.in_octets), u32(c.in_pkts), u32(c.in_discards), u32(c.in_errors),
        u32(c.out_octets), u32(c.out_pkts), u32(c.out_discards), u32(c.out_errors),
      ]);
      const n = (entry: string, column: number) => {
        const node = mib.lookup(`${entry}.${column}.${i.index}`);
        if (!node) throw new Error(`sim: MIB cell ${entry}.${column}.${i.index} missing`);
        return node;
      };
      type C = NonNullable<ReturnType<typeof model.counters.get>>;
      const nodes: CellRefs['nodes'] = [
        { node: n(IF_ENTRY, 10), get: (x: C) => u32(x.in_octets) },
        { node: n(IF_ENTRY, 11), get: (x: C) => u32(x.in_pkts) },
        { node: n(IF_ENTRY, 13), get: (x: C) => u32(x.in_discards) },
        { node: n(IF_ENTRY, 14), get: (x: C) => u32(x.in_errors) },
        { node: n(IF_ENTRY, 16), get: (x: C) => u32(x.out_octets) },
        { node: n(IF_ENTRY, 17), get: (x: C) => u32(x.out_pkts) },
        { node: n(IF_ENTRY, 19), get: (x: C) => u32(x.out_discards) },
        { node: n(IF_ENTRY, 20), get: (x: C) => u32(x.out_errors) },
      ];
      if (spec.hc) {
        mib.addTableRow('ifXTable', [
          i.index, i.name, u64(c.in_octets), u64(c.in_pkts), u64(c.out_octets), u64(c.out_pkts),
          Math.round(i.speed_bps / 1e6), i.role === 'wan' ? 'uplink' : '',
        ]);
        nodes.push(
          { node: n(IFX_ENTRY, 6), get: (x: C) => u64(x.in_octets) },
          { node: n(IFX_ENTRY, 7), get: (x: C) => u64(x.in_pkts) },
          { node: n(IFX_ENTRY, 10), get: (x: C) => u64(x.out_octets) },
          { node: n(IFX_ENTRY, 11), get: (x: C) => u64(x.out_pkts) },
        );
      }
      this.cells.push({ index: i.index, nodes });
    }
  }

  /** Bring every counter cell to the model's value at `now`. */
  private refresh(now: number): void {
    this.model.advance(now);
    for (const row of this.cells) {
      const c = this.model.counters.get(row.index)!;
      for (const cell of row.nodes) cell.node.value = cell.get(c);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const sockets = Object.values(this.agent.listener.sockets ?? {});
    await Promise.all(
      sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            try {
              s.close(() => resolve());
            } catch {
              resolve(); // never bound / already closed
            }
          }),
      ),
    );
  }
}
