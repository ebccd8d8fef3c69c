/**
 * The seam between the SNMP probe (what to ask: probe.ts, plan.ts, vendor.ts) and the wire (how to
 * ask: live-client.ts in production, fake-client.ts in unit tests), like snmp_exporter's
 * `SNMPScraper`. Requests reject only with SnmpFailure; its message is what a person reads.
 */
import type { ProbeStatus, SnmpAccess } from '../../core/types.js';
import type { Vb } from './decode.js';

/** Who to ask: a site's address and access. */
export interface SnmpTarget {
  /** The site's id: the client keeps one session per site. */
  site: string;
  host: string;
  access: SnmpAccess;
}

/** Requests to one agent, as a poll makes them. Values as net-snmp delivers them (decode.ts). */
export interface SnmpSession {
  readonly version: '1' | '2c' | '3';
  get(oids: readonly string[]): Promise<Vb[]>;
  getNext(oids: readonly string[]): Promise<Vb[]>;
  /** Non-repeaters flat first, then one array per repeated OID (getNext semantics: it runs past its column). */
  getBulk(oids: readonly string[], nonRepeaters: number, repetitions: number): Promise<Array<Vb | Vb[]>>;
}

export interface SnmpClientStats {
  /** Sites with a session. */
  sessions: number;
  /** Sessions with a live net-snmp session (v1/v2c/v3). */
  open_sessions: number;
  /** net-snmp sessions made so far (a site's is remade when its access changes or its socket went away). */
  sessions_made: number;
  pool?: { sockets: number; facades: number; privateSockets: number; routed: number; routedById: number; dropped: number };
}

export interface SnmpClient {
  /** The session for `target` (made on first use, kept for its next polls, remade when its access changes). */
  open(target: SnmpTarget): SnmpSession;
  close(): void;
  stats(): SnmpClientStats;
}

/** A failure the probe turns into a result: `status` decides timeout vs error. */
export class SnmpFailure extends Error {
  override name = 'SnmpFailure';
  constructor(readonly status: ProbeStatus, message: string) { super(message); }
}

/** The agent answered with an error-status (RFC 3416), e.g. `tooBig`, `noSuchName` (v1), `genErr`. */
export const AGENT_ERROR = 'agent returned error: ';

/** An agent error-status of this failure ('TooBig', 'NoSuchName', ...), or null when it is no agent error. */
export function agentErrorStatus(err: unknown): string | null {
  if (!(err instanceof SnmpFailure) || !err.message.startsWith(AGENT_ERROR)) return null;
  return /^(\w+)/.exec(err.message.slice(AGENT_ERROR.length))?.[1] ?? '';
}

/** The OID a v1 noSuchName names (the varbind the agent has nothing for, or past the end of its MIB). */
export function noSuchNameOid(err: unknown): string | null {
  if (agentErrorStatus(err) !== 'NoSuchName') return null;
  return /NoSuchName: ([0-9.]+)/.exec((err as Error).message)?.[1] ?? '';
}

export function secretsOf(a: SnmpAccess): string[] {
  if (a.version === '3') return [a.auth?.key, a.priv?.key].filter((s): s is string => !!s);
  return [a.community];
}

/** Remove secrets and long hex digests from a message before it goes into a reason. */
export function scrub(message: string, secrets: string[]): string {
  let m = message;
  for (const s of secrets) if (s) m = m.split(s).join('[redacted]');
  return m.replace(/\b[0-9a-f]{16,}\b/gi, '[hex]').slice(0, 300);
}
