import type { Logger } from '../../protocol/logger.ts';
import type { Printer, PrinterState } from '../../protocol/printers.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import type { StoredJob, StoredPrinter } from '../store/printing.ts';
import { encodePage } from './escpos.ts';
import { PrintError, probePrinter, sendToPrinter, type TransportTimeouts } from './transport.ts';

export interface QueueOptions extends TransportTimeouts {
  /** A ticket its printer cannot print within this long moves to the station's backup printer. */
  backupAfterMs: number;
  /** Longest wait between two tries of the same job. */
  retryMaxMs: number;
  /** How often an idle printer is asked for its state. */
  probeMs: number;
  now: () => number;
}

type Live = Printer['status'] & { failingSince: number | null };

/** One printer's sender: it sleeps until woken (a new job) or until its next job is due. */
interface Sender {
  wake: () => void;
  done: Promise<void>;
}

/**
 * The print queue: jobs live in SQLite (written with the events that caused them), and each
 * printer has its own sender that prints its jobs in order, retrying with back-off. A dead
 * printer only ever delays its own jobs; a ticket it cannot print within `backupAfterMs` moves
 * to the station's backup printer, stamped BACKUP FROM <name>. A job is marked printed only
 * once the printer confirmed it (docs/printing.md), so a crash can at worst print one job twice,
 * never lose one.
 */
export class PrintQueue {
  private readonly senders = new Map<string, Sender>();
  private readonly live = new Map<string, Live>();
  private stopping = false;
  readonly counters = { printed: 0, failedAttempts: 0, movedToBackup: 0 };

  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly backupOf: (job: StoredJob) => string | null,
    private readonly options: QueueOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const p of this.store.printing.printers()) this.sender(p.id);
  }

  /** Wake every printer's sender: called after each commit that may have queued jobs. */
  wakeAll(): void {
    for (const s of this.senders.values()) s.wake();
  }

  /** A printer just added: give it a sender. */
  add(printerId: string): void {
    this.sender(printerId);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.senders.values()) s.wake();
    await Promise.all([...this.senders.values()].map((s) => s.done));
  }

  status(printerId: string): Printer['status'] {
    const { failingSince: _, ...status } = this.live.get(printerId) ?? initial();
    return status;
  }

  private sender(printerId: string): Sender {
    let sender = this.senders.get(printerId);
    if (sender) return sender;
    let wake: () => void = () => {};
    /** Resolves true when woken (a new job, a stop), false when the time ran out. */
    const sleep = (ms: number) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
    sender = { wake: () => wake(), done: Promise.resolve() };
    this.senders.set(printerId, sender);
    sender.done = (async () => {
      while (!this.stopping) {
        const printer = this.store.printing.printer(printerId);
        if (!printer) break; // removed
        const job = this.store.printing.nextJob(printerId);
        const due = job?.nextAttemptAt ? Date.parse(job.nextAttemptAt) - this.options.now() : 0;
        if (job && due > 0) await sleep(due);
        else if (job) await this.print(printer, job);
        else if (!(await sleep(this.options.probeMs)) && !this.stopping) await this.probe(printer);
      }
      this.senders.delete(printerId);
    })().catch((err) =>
      this.log.error({ printerId, err }, 'print sender stopped; restart the hub to resume it'),
    );
    return sender;
  }

  private async print(printer: StoredPrinter, job: StoredJob): Promise<void> {
    try {
      const bytes = encodePage(job.doc, printer, { jobId: job.id, backupFrom: job.backupFrom });
      await sendToPrinter(printer, bytes, this.options);
      await this.committer.run((ctx) => this.store.printing.markPrinted(job.id, ctx.at));
      this.counters.printed++;
      this.setLive(printer.id, 'online', null, true);
    } catch (err) {
      const failure =
        err instanceof PrintError
          ? err
          : new PrintError('not_responding', (err as Error).message ?? String(err));
      this.counters.failedAttempts++;
      this.setLive(printer.id, failure.state, failure.message, false);
      await this.retryOrMove(printer, job, failure);
    }
  }

  private async probe(printer: StoredPrinter): Promise<void> {
    try {
      await probePrinter(printer, this.options);
      this.setLive(printer.id, 'online', null, false);
    } catch (err) {
      const failure = err instanceof PrintError ? err : new PrintError('not_responding', String(err));
      this.setLive(printer.id, failure.state, failure.message, false);
    }
  }

  private async retryOrMove(printer: StoredPrinter, job: StoredJob, failure: PrintError): Promise<void> {
    const now = this.options.now();
    const backup = job.backupFrom ? null : this.backupOf(job);
    const deadline = Date.parse(job.createdAt) + this.options.backupAfterMs;
    const failingSince = this.live.get(printer.id)?.failingSince ?? now;
    if (
      backup &&
      backup !== printer.id &&
      (now >= deadline || now - failingSince >= this.options.backupAfterMs)
    ) {
      await this.committer.run(() => this.store.printing.moveJob(job.id, backup, printer.name));
      this.counters.movedToBackup++;
      this.log.warn(
        { job: job.title, from: printer.name, to: backup },
        'print job moved to the backup printer',
      );
      this.sender(backup).wake();
      return;
    }
    let delay = Math.min(this.options.retryMaxMs, 500 * 2 ** job.attempts);
    if (backup) delay = Math.min(delay, Math.max(0, deadline - now)); // never wait past the move
    const next = new Date(now + delay).toISOString();
    await this.committer.run(() => this.store.printing.markFailed(job.id, next, failure.message));
  }

  /** What the printer just showed: its state, and whether it printed (the last success). */
  private setLive(printerId: string, state: PrinterState, detail: string | null, printed: boolean): void {
    const before = this.live.get(printerId) ?? initial();
    const at = new Date(this.options.now()).toISOString();
    if (before.state !== state) this.log.info({ printerId, state, detail }, 'printer state changed');
    this.live.set(printerId, {
      state,
      detail,
      lastSuccessAt: printed ? at : before.lastSuccessAt,
      since: before.state === state ? before.since : at,
      queued: 0,
      failingSince: state === 'online' ? null : (before.failingSince ?? this.options.now()),
    });
  }
}

const initial = (): Live => ({
  state: 'unknown',
  detail: null,
  lastSuccessAt: null,
  since: null,
  queued: 0,
  failingSince: null,
});
