/**
 * An SNMP v1/v2c session of our own (ber.ts on a socket of udp-pool.ts): request ids, retries and
 * timeouts, answers matched by request id, version and community. Failures are shaped like
 * net-snmp's errors (name, message), so the client classifies both kinds of session the same way.
 * An undecodable datagram is reported to the owner (the request then times out). A poller keeps one
 * per site, so a session holds no closures and no map of its own: requests in flight live in one
 * registry per client (ids are unique across it).
 */
import type { Vb } from './decode.js';
import { decodeResponse, encodeRequest, PDU, type Response } from './ber.js';
import type { SessionSocket } from './udp-pool.js';

const ERROR_STATUS = [
  'NoError', 'TooBig', 'NoSuchName', 'BadValue', 'ReadOnly', 'GeneralError', 'NoAccess', 'WrongType', 'WrongLength', 'WrongEncoding',
  'WrongValue', 'NoCreation', 'InconsistentValue', 'ResourceUnavailable', 'CommitFailed', 'UndoFailed', 'AuthorizationError', 'NotWritable',
  'InconsistentName',
];

const failure = (name: string, message: string) => Object.assign(new Error(message), { name });

export interface Pending {
  session: CommunitySession;
  buf: Buffer;
  triesLeft: number;
  timer: NodeJS.Timeout | null;
  done: (err: Error | null, r?: Response) => void;
}

/** Requests in flight of all the sessions of one client, by request id. */
export type PendingRegistry = Map<number, Pending>;

/** Who a session reports to (the client's entry for its site). */
export interface SessionOwner {
  processingError(message: string): void;
  /** The socket was closed under the session (a shared socket failed). */
  socketClosed(): void;
}

export interface CommunityTarget {
  host: string;
  port: number;
  version: '1' | '2c';
  /** The community's bytes (one Buffer per distinct community: sessions share it). */
  community: Buffer;
}

export class CommunitySession {
  private closed = false;

  constructor(
    private readonly t: CommunityTarget,
    private readonly timing: { timeout_ms: number; retries: number },
    private readonly socket: SessionSocket,
    private readonly pending: PendingRegistry,
    private readonly owner: SessionOwner,
  ) {
    socket.on('message', (msg) => this.onMessage(msg));
    socket.on('error', (err) => this.owner.processingError(err.message));
    socket.on('close', () => { this.failAll(failure('Error', 'Socket forcibly closed')); this.closed = true; this.owner.socketClosed(); });
  }

  get(oids: readonly string[]): Promise<Vb[]> {
    return this.send(PDU.get, oids, 0, 0).then((r) => sameCount(r, oids));
  }

  getNext(oids: readonly string[]): Promise<Vb[]> {
    return this.send(PDU.getNext, oids, 0, 0).then((r) => sameCount(r, oids));
  }

  /** net-snmp's shape: non-repeaters flat, then one array per repeated OID (row by row in the answer). */
  getBulk(oids: readonly string[], nonRepeaters: number, repetitions: number): Promise<Array<Vb | Vb[]>> {
    return this.send(PDU.getBulk, oids, nonRepeaters, repetitions).then((r) => {
      const vbs = r.varbinds;
      const out: Array<Vb | Vb[]> = [];
      const first = Math.min(oids.length, vbs.length);
      for (let i = 0; i < first; i++) out.push(i < nonRepeaters ? vbs[i]! : [vbs[i]!]);
      const repeaters = oids.length - nonRepeaters;
      for (let i = first; i < vbs.length && repeaters > 0; i++) (out[(i - nonRepeaters) % repeaters + nonRepeaters] as Vb[]).push(vbs[i]!);
      return out;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(failure('Error', 'Session closed'));
    try { this.socket.close(); } catch { /* already closed */ }
  }

  private send(pdu: number, oids: readonly string[], a: number, b: number): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      if (this.closed) { reject(failure('Error', 'Session closed')); return; }
      let id = 1 + Math.floor(Math.random() * 0x7ffffffe);
      while (this.pending.has(id)) id = 1 + Math.floor(Math.random() * 0x7ffffffe);
      const buf = encodeRequest(this.t.version === '1' ? 0 : 1, this.t.community, pdu, id, a, b, oids);
      const p: Pending = { session: this, buf, triesLeft: this.timing.retries, timer: null, done: (err, r) => (err ? reject(err) : resolve(r!)) };
      this.pending.set(id, p);
      this.transmit(id, p);
    });
  }

  private transmit(id: number, p: Pending): void {
    this.socket.send(p.buf, 0, p.buf.length, this.t.port, this.t.host, (err) => { if (err) this.finish(id, err); });
    p.timer = setTimeout(() => {
      if (p.triesLeft-- > 0) this.transmit(id, p);
      else this.finish(id, failure('RequestTimedOutError', 'Request timed out'));
    }, this.timing.timeout_ms);
  }

  private finish(id: number, err: Error | null, r?: Response): void {
    const p = this.pending.get(id);
    if (!p || p.session !== this) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    p.done(err, r);
  }

  private failAll(err: Error): void {
    const mine: number[] = [];
    for (const [id, p] of this.pending) if (p.session === this) mine.push(id);
    for (const id of mine) this.finish(id, err);
  }

  private onMessage(msg: Buffer): void {
    let r: Response;
    try {
      r = decodeResponse(msg);
    } catch (err) {
      // an answer we cannot read: its request (if any) times out, reported as malformed
      this.owner.processingError((err as Error).message);
      return;
    }
    if (this.pending.get(r.requestId)?.session !== this) return; // late, duplicate, or another session's on a shared route
    const expectVersion = this.t.version === '1' ? 0 : 1;
    if (r.version !== expectVersion) return this.finish(r.requestId, failure('ResponseInvalidError', `Version in request '${expectVersion}' does not match version in response '${r.version}'`));
    if (!r.community.equals(this.t.community)) return; // another site's session on the same host:port (different community)
    if (r.pdu !== PDU.response) return this.finish(r.requestId, failure('ResponseInvalidError', `Unknown PDU type '${r.pdu}' in response`));
    if (r.errorStatus > 0) {
      const name = ERROR_STATUS[r.errorStatus] ?? 'GeneralError';
      const vb = r.errorIndex > 0 ? r.varbinds[r.errorIndex - 1] : undefined;
      return this.finish(r.requestId, failure('RequestFailedError', vb ? `${name}: ${vb.oid}` : name));
    }
    this.finish(r.requestId, null, r);
  }
}

function sameCount(r: Response, oids: readonly string[]): Vb[] {
  if (r.varbinds.length !== oids.length) throw failure('ResponseInvalidError', 'Requested OIDs do not match response OIDs');
  return r.varbinds;
}
