import type { IdSource } from '../../protocol/ids.ts';
import type { Logger } from '../../protocol/logger.ts';
import type {
  PrintDoc,
  Printer,
  PrinterSettings,
  PrintJob,
  PrintJobKind,
  PrintJobState,
  StationPrinting,
  StationRoute,
  UpdatePrinterBody,
} from '../../protocol/printers.ts';
import { HubError } from '../errors.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import type { StoredJob, StoredPrinter } from '../store/printing.ts';
import { type Business, checkPage, testPage } from './pages.ts';
import { PrintQueue, type QueueOptions } from './queue.ts';
import { PrintRouter } from './router.ts';

export interface PrintingOptions extends Omit<QueueOptions, 'now'> {
  /** A station whose screen has been away this long prints its tickets (mode `when_kds_offline`). */
  kdsAwayAfterMs: number;
  business: Business;
}

/**
 * Network printers: setting them up, where each station's tickets and each till's receipts go,
 * the queue that prints them (queue.ts), bills and receipts on demand, and the jobs list the
 * admin page shows (reprint, cancel, move). docs/printing.md.
 */
export class PrintingService {
  readonly router: PrintRouter;
  private readonly queue: PrintQueue;
  /** When each station last had a screen connected (ms), for the screen-away fallback. */
  private readonly screenSeen = new Map<string, number>();
  /** Stations whose screen is away past the threshold, and whose open tickets were printed. */
  private readonly screensAway = new Set<string>();
  private readonly startedAt: number;

  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly newId: IdSource,
    private readonly stations: () => { id: string; name: string }[],
    private readonly options: PrintingOptions,
    log: Logger,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
    this.router = new PrintRouter(store, newId, {
      stationName: (id) => this.stations().find((s) => s.id === id)?.name ?? id,
      kdsAway: (id) =>
        this.now() - (this.screenSeen.get(id) ?? this.startedAt) >= this.options.kdsAwayAfterMs,
      locale: options.business.locale,
    });
    committer.react(this.router.react);
    this.queue = new PrintQueue(store, committer, (job) => this.backupOf(job), { ...options, now }, log);
  }

  start(): void {
    this.queue.start();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  /** After a commit (its print jobs are on disk now): let the printers' senders look. */
  committed(): void {
    this.queue.wakeAll();
  }

  /**
   * Which stations have a screen connected now (called every second). A station whose screen
   * has just been away past the threshold prints the open tickets its screen was showing.
   */
  async screens(connected: ReadonlySet<string>): Promise<void> {
    for (const station of this.stations()) {
      if (connected.has(station.id)) {
        this.screenSeen.set(station.id, this.now());
        this.screensAway.delete(station.id);
        continue;
      }
      if (this.screensAway.has(station.id) || !this.router.kdsAway(station.id)) continue;
      this.screensAway.add(station.id);
      const n = await this.committer.run((ctx) => this.router.catchUp(station.id, ctx));
      if (n > 0) this.queue.wakeAll();
    }
  }

  printers(): Printer[] {
    const queued = this.store.printing.queuedCounts();
    return this.store.printing.printers().map((p) => this.view(p, queued.get(p.id) ?? 0));
  }

  private view(p: StoredPrinter, queued: number): Printer {
    return { ...p, status: { ...this.queue.status(p.id), queued } };
  }

  private printer(id: string): StoredPrinter {
    const p = this.store.printing.printer(id);
    if (!p) throw new HubError('PRINTER_NOT_FOUND', `No printer ${id}; GET /api/v1/printers lists them.`);
    return p;
  }

  async addPrinter(settings: PrinterSettings): Promise<Printer> {
    const printer = await this.committer.run((ctx) => {
      const p: StoredPrinter = { id: this.newId(), ...settings, createdAt: ctx.at };
      this.store.printing.insertPrinter(p);
      return p;
    });
    this.queue.add(printer.id);
    return this.view(printer, 0);
  }

  async updatePrinter(id: string, change: UpdatePrinterBody): Promise<Printer> {
    const printer = await this.committer.run(() => {
      const p = { ...this.printer(id), ...change };
      this.store.printing.updatePrinter(p);
      return p;
    });
    return this.view(printer, this.store.printing.queuedCounts().get(id) ?? 0);
  }

  /** Remove a printer with nothing queued (move or cancel its jobs first). */
  async removePrinter(id: string): Promise<void> {
    await this.committer.run((ctx) => {
      this.printer(id);
      const queued = this.store.printing.queuedCounts().get(id) ?? 0;
      if (queued > 0)
        throw new HubError(
          'PRINTER_BUSY',
          `${queued} jobs wait for this printer: move or cancel them first.`,
        );
      this.store.printing.removePrinter(id, ctx.at);
    });
    this.router.reload();
  }

  routes(): StationRoute[] {
    const routes = this.store.printing.routes();
    return this.stations().map((s) => ({
      stationId: s.id,
      stationName: s.name,
      ...(routes.get(s.id) ?? { mode: 'never', printerId: null, backupPrinterId: null }),
    }));
  }

  async setRoute(stationId: string, route: StationPrinting): Promise<StationRoute> {
    const station = this.stations().find((s) => s.id === stationId);
    if (!station)
      throw new HubError(
        'STATION_NOT_FOUND',
        `The menu has no station ${stationId}; GET /api/v1/printing/stations lists them.`,
      );
    await this.committer.run(() => {
      if (route.printerId) this.printer(route.printerId);
      if (route.backupPrinterId) this.printer(route.backupPrinterId);
      if (route.mode !== 'never' && !route.printerId)
        throw new HubError('VALIDATION_FAILED', 'Choose the printer this station prints on.', [
          { field: 'printerId', message: `is required when mode is ${route.mode}` },
        ]);
      if (route.backupPrinterId && route.backupPrinterId === route.printerId)
        throw new HubError('VALIDATION_FAILED', 'The backup must be another printer.', [
          { field: 'backupPrinterId', message: 'is the same printer as printerId' },
        ]);
      this.store.printing.setRoute(stationId, route);
    });
    this.router.reload();
    return { stationId, stationName: station.name, ...route };
  }

  /** Which printer each till prints its bills and receipts on. */
  tills(): { deviceId: string; printerId: string }[] {
    return this.store.printing.tillPrinters();
  }

  async setTillPrinter(deviceId: string, printerId: string | null): Promise<void> {
    await this.committer.run(() => {
      if (!this.store.devices.get(deviceId)) throw new HubError('DEVICE_NOT_FOUND', `No device ${deviceId}.`);
      if (printerId) this.printer(printerId);
      this.store.printing.setTillPrinter(deviceId, printerId);
    });
  }

  testPrint(printerId: string): Promise<PrintJob> {
    const at = new Date(this.now()).toISOString();
    return this.enqueue(printerId, 'test', 'Test print', () =>
      testPage(this.printer(printerId), at, this.options.business.locale),
    );
  }

  /** A bill (before payment) or a receipt (after), on the given printer or the calling till's. */
  printCheck(
    orderId: string,
    kind: 'bill' | 'receipt',
    deviceId: string,
    printerId?: string,
  ): Promise<PrintJob> {
    const target = printerId ?? this.store.printing.tillPrinter(deviceId);
    if (!target)
      throw new HubError(
        'PRINTER_NOT_FOUND',
        'This till has no receipt printer: a manager sets one on the admin page, or send printerId.',
      );
    const order = this.store.orders.get(orderId);
    if (!order) throw new HubError('ORDER_NOT_FOUND', `No order ${orderId} on this hub.`);
    return this.enqueue(
      target,
      kind,
      `${kind === 'bill' ? 'Bill' : 'Receipt'} #${order.number}`,
      () => checkPage(kind, order, this.store.payments.forOrder(orderId), this.options.business),
      orderId,
    );
  }

  jobs(q: { state?: PrintJobState | undefined; printerId?: string | undefined; limit: number }): PrintJob[] {
    const names = new Map(this.store.printing.printers().map((p) => [p.id, p.name]));
    return this.store.printing.recentJobs(q).map((j) => this.jobView(j, names));
  }

  /** Print a job again, as a new job on the same printer (or another). */
  reprint(jobId: string, printerId?: string): Promise<PrintJob> {
    const job = this.job(jobId);
    return this.enqueue(
      printerId ?? job.printerId,
      job.kind,
      `Reprint: ${job.title}`,
      () => job.doc,
      job.orderId,
    );
  }

  async cancel(jobId: string): Promise<PrintJob> {
    await this.committer.run(() => {
      if (!this.store.printing.cancelJob(this.job(jobId).id))
        throw new HubError('ILLEGAL_TRANSITION', 'Only a job still queued can be cancelled.');
    });
    return this.jobView(this.job(jobId));
  }

  /** Send a queued job to another printer now (the manager's own backup). */
  async move(jobId: string, printerId: string): Promise<PrintJob> {
    await this.committer.run(() => {
      const job = this.job(jobId);
      if (job.state !== 'queued')
        throw new HubError('ILLEGAL_TRANSITION', 'Only a job still queued can be moved.');
      const from = this.printer(job.printerId);
      this.printer(printerId);
      this.store.printing.moveJob(jobId, printerId, job.backupFrom ?? from.name);
    });
    this.queue.wakeAll();
    return this.jobView(this.job(jobId));
  }

  /** For /metrics. */
  stats(): { queued: number; printers: Record<string, number> } & PrintQueue['counters'] {
    const printers: Record<string, number> = {};
    for (const p of this.printers()) printers[p.status.state] = (printers[p.status.state] ?? 0) + 1;
    const queued = [...this.store.printing.queuedCounts().values()].reduce((a, b) => a + b, 0);
    return { queued, printers, ...this.queue.counters };
  }

  private async enqueue(
    printerId: string,
    kind: PrintJobKind,
    title: string,
    render: () => PrintDoc,
    orderId: string | null = null,
  ): Promise<PrintJob> {
    const id = this.newId();
    await this.committer.run((ctx) => {
      this.printer(printerId);
      this.store.printing.insertJob({
        id,
        printerId,
        kind,
        title,
        doc: render(),
        orderId,
        createdAt: ctx.at,
      });
    });
    this.queue.wakeAll();
    return this.jobView(this.job(id));
  }

  private job(id: string): StoredJob {
    const job = this.store.printing.job(id);
    if (!job) throw new HubError('PRINT_JOB_NOT_FOUND', `No print job ${id}.`);
    return job;
  }

  private jobView(j: StoredJob, names?: Map<string, string>): PrintJob {
    const { doc: _doc, ticketId: _t, stationId: _s, nextAttemptAt: _n, ...rest } = j;
    const printerName =
      names?.get(j.printerId) ?? this.store.printing.printer(j.printerId)?.name ?? '(removed)';
    return { ...rest, printerName };
  }

  /** Where a station's ticket goes when its printer cannot print it in time. */
  private backupOf(job: StoredJob): string | null {
    if ((job.kind !== 'ticket' && job.kind !== 'void') || !job.stationId) return null;
    return this.store.printing.route(job.stationId)?.backupPrinterId ?? null;
  }
}
