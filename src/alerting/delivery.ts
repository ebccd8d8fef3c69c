/**
 * Handing recorded notices to the dispatcher, after the batch's transaction commits. Each is
 * dispatched in the background (a slow channel never holds up polling), then marked
 * 'dispatched' or 'failed' in SQLite; a notice already in flight or already dispatched is not
 * handed over again. Apart from the engine because this is the only part that waits on IO
 * outside the database; drain() is what a graceful stop waits for.
 */
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { IncidentRepository } from './incidents.js';
import type { Notice } from './notice.js';

export interface Dispatcher {
  dispatch(notice: Notice): Promise<void>;
}

export interface DispatchOutcome {
  id: string;
  ok: boolean;
  error?: string;
}

export interface Dispatched {
  /** Ids of the notices handed to the dispatcher by this call (already recorded in SQLite). */
  notices: string[];
  /**
   * Settles when the dispatcher has answered for each of them (never rejects). The poller does
   * not wait for it: a slow or dead channel never holds up polling.
   */
  delivery: Promise<DispatchOutcome[]>;
}

export class NoticeDelivery {
  private readonly inFlight = new Set<string>();
  private readonly inFlightDone = new Set<Promise<unknown>>();

  constructor(
    private readonly repo: IncidentRepository,
    private readonly dispatcher: Dispatcher,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Hand notices to the dispatcher in the background; each outcome is marked in SQLite. */
  dispatchAll(notices: readonly Notice[]): Dispatched {
    const todo = notices.filter((n) => !this.inFlight.has(n.id) && this.repo.getNotice(n.id)?.status !== 'dispatched');
    const one = async (n: Notice): Promise<DispatchOutcome> => {
      let outcome: DispatchOutcome;
      try {
        await this.dispatcher.dispatch(n);
        outcome = { id: n.id, ok: true };
      } catch (err) {
        outcome = { id: n.id, ok: false, error: errorMessage(err) };
        this.log.warn({ notice: n.id, incident: n.incident_id, error: outcome.error }, 'notice dispatch failed; retried on the next tick');
      }
      try {
        this.repo.markNotice(n.id, outcome.ok ? { ok: true, at: this.clock.now() } : { ok: false, error: outcome.error! });
      } catch (err) {
        // the database closed under us (stop without drain): the notice stays 'pending' and is sent again after restart
        this.log.error({ notice: n.id, err: errorMessage(err) }, 'could not record the dispatch outcome');
      } finally {
        this.inFlight.delete(n.id);
      }
      return outcome;
    };
    for (const n of todo) this.inFlight.add(n.id);
    const delivery = Promise.all(todo.map(one));
    this.inFlightDone.add(delivery);
    void delivery.finally(() => this.inFlightDone.delete(delivery));
    return { notices: todo.map((n) => n.id), delivery };
  }

  /** Wait for every dispatch in flight. */
  async drain(): Promise<void> {
    while (this.inFlightDone.size) await Promise.all([...this.inFlightDone]);
  }
}
