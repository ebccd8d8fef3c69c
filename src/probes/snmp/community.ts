/**
 * An SNMP v1/v2c session of our own (ber.ts on a socket of udp-pool.ts): request ids, retries and
 * timeouts, answers matched by request id, version and community. Failures are shaped like
 * net-snmp's errors (name, message), so the client classifies both kinds of session the same way.
 * An undecodable datagram is reported through `onProcessingError` (the request then times out).
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

interface Pending { buf: Buffer; triesLeft: number; timer: NodeJS.Timeout | null; done: (err: Error | null, r?: Response) => void }

export interface CommunityOptions {
  host: string;
  port: number;
  version: '1' | '2c';
  community: string;
  timeout_ms: number;
  retries: number;
  onProcessingError(message: string): void;
  /** The socket was closed under the session (a shared socket failed). */
  onClose(): void;
}

export class CommunitySession {
  private readonly pending = new Map<number, Pending>();
  private readonly communityBytes: Buffer;
  private closed = false;

  constructor(private readonly o: CommunityOptions, private readonly socket: SessionSocket) {
    this.communityBytes = Buffer.from(o.community, 'utf8');
    socket.on('message', (msg) => this.onMessage(msg));
    socket.on('error', (err) => this.o.onProcessingError(err.message));
    socket.on('close', () => { this.failAll(failure('Error', 'Socket forcibly closed')); this.closed = true; this.o.onClose(); });
  }

  get(oids: readonly string[]): Promise<Vb[]> {
    return this.send(PDU.get, oids, 0, 0).then((r) => this.sameCount(r, oids));
  }

  getNext(oids: readonly string[]): Promise<Vb[]> {
    return this.send(PDU.getNext, oids, 0, 0).then((r) => this.sameCount(r, oids));
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

  private sameCount(r: Response, oids: readonly string[]): Vb[] {
    if (r.varbinds.length !== oids.length) throw failure('ResponseInvalidError', 'Requested OIDs do not match response OIDs');
    return r.varbinds;
  }

  private send(pdu: number, oids: readonly string[], a: number, b: number): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      if (this.closed) { reject(failure('Error', 'Session closed')); return; }
      let id = 1 + Math.floor(Math.random() * 0x7ffffffe);
      while (this.pending.has(id)) id = 1 + Math.floor(Math.random() * 0x7ffffffe);
      const buf = encodeRequest(this.o.version === '1' ? 0 : 1, this.communityBytes, pdu, id, a, b, oids);
      const p: Pending = { buf, triesLeft: this.o.retries, timer: null, done: (err, r) => (err ? reject(err) : resolve(r!)) };
      this.pending.set(id, p);
      this.transmit(id, p);
    });
  }

  private transmit(id: number, p: Pending): void {
    this.socket.send(p.buf, 0, p.buf.length, this.o.port, this.o.host, (err) => { if (err) this.finish(id, err); });
    p.timer = setTimeout(() => {
      if (p.triesLeft-- > 0) this.transmit(id, p);
      else this.finish(id, failure('RequestTimedOutError', 'Request timed out'));
    }, this.o.timeout_ms);
  }

  private finish(id: number, err: Error | null, r?: Response): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    p.done(err, r);
  }

  private failAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.finish(id, err);
  }

  private onMessage(msg: Buffer): void {
    let r: Response;
    try {
      r = decodeResponse(msg);
    } catch (err) {
      // an answer we cannot read: its request (if any) times out, reported as malformed
      this.o.onProcessingError((err as Error).message);
      return;
    }
    if (!this.pending.has(r.requestId)) return; // late, duplicate, or another session's on a shared route
    const expectVersion = this.o.version === '1' ? 0 : 1;
    if (r.version !== expectVersion) return this.finish(r.requestId, failure('ResponseInvalidError', `Version in request '${expectVersion}' does not match version in response '${r.version}'`));
    if (!r.community.equals(this.communityBytes)) return; // another site's session on the same host:port (different community)
    if (r.pdu !== PDU.response) return this.finish(r.requestId, failure('ResponseInvalidError', `Unknown PDU type '${r.pdu}' in response`));
    if (r.errorStatus > 0) {
      const name = ERROR_STATUS[r.errorStatus] ?? 'GeneralError';
      const vb = r.errorIndex > 0 ? r.varbinds[r.errorIndex - 1] : undefined;
      return this.finish(r.requestId, failure('RequestFailedError', vb ? `${name}: ${vb.oid}` : name));
    }
    this.finish(r.requestId, null, r);
  }
}
