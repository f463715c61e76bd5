import client from 'prom-client';

export interface MetricSources {
  headSeq: () => number;
  socketsByRole: () => Record<string, number>;
  syncPending: () => number;
  commits: () => { commits: number; commands: number; pending: number };
  connections: () => { open: number; evicted: number; refused: number };
  syncQuarantined: () => number;
  /** The standby, as the primary sees it (state 'none' without one). */
  standby: () => { state: string; behind: number; answeredAlone: number };
  printing: () => {
    queued: number;
    printers: Record<string, number>;
    printed: number;
    failedAttempts: number;
    movedToBackup: number;
  };
}

/**
 * Prometheus metrics (prom-client): request latency by route, sockets by role, event-log seq,
 * sync backlog, group-commit counters, and the process's own (RSS, heap, event-loop lag, GC).
 * One registry per hub, so tests running several hubs in one process do not collide.
 */
export class HubMetrics {
  readonly registry = new client.Registry();
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  /** Whole group-commit transactions, fsync included: the event loop waits for each. */
  readonly commitDuration: client.Histogram;
  /** fdatasync of the WAL, off the event loop; every answer to a command waits for one. */
  readonly walFlushDuration: client.Histogram;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    client.collectDefaultMetrics({
      register: this.registry,
      prefix: 'grow_',
      eventLoopMonitoringPrecision: 20,
    });
    this.httpDuration = new client.Histogram({
      name: 'grow_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    });
    this.commitDuration = new client.Histogram({
      name: 'grow_commit_duration_seconds',
      help: 'Group-commit transactions (commands + COMMIT + WAL fsync), which block the event loop',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.walFlushDuration = new client.Histogram({
      name: 'grow_wal_flush_duration_seconds',
      help: 'fdatasync of the WAL (on the thread pool); every command waits for one before its answer',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    new client.Gauge({
      name: 'grow_ws_sockets',
      help: 'Open WebSockets by device role',
      labelNames: ['role'],
      registers,
      collect() {
        for (const [role, n] of Object.entries(sources.socketsByRole())) this.set({ role }, n);
      },
    });
    new client.Gauge({
      name: 'grow_event_log_seq',
      help: 'Highest seq in the event log',
      registers,
      collect() {
        this.set(sources.headSeq());
      },
    });
    new client.Gauge({
      name: 'grow_sync_pending_events',
      help: 'Events not yet acknowledged by the cloud',
      registers,
      collect() {
        this.set(sources.syncPending());
      },
    });
    new client.Gauge({
      name: 'grow_sync_quarantined_events',
      help: 'Events the cloud refused as bad data, kept on the hub for repair (HQ is missing them): alarm above 0',
      registers,
      collect() {
        this.set(sources.syncQuarantined());
      },
    });
    new client.Gauge({
      name: 'grow_standby',
      help: "The standby hub: 1 for its state now (none, away, catching-up, in-sync, lagging); alarm on 'away' or 'lagging' during service",
      labelNames: ['state'],
      registers,
      collect() {
        const now = sources.standby().state;
        for (const state of ['none', 'away', 'catching-up', 'in-sync', 'lagging'])
          this.set({ state }, state === now ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'grow_standby_behind_changes',
      help: 'Row changes the standby has yet to confirm (0 when in sync)',
      registers,
      collect() {
        this.set(sources.standby().behind);
      },
    });
    new client.Gauge({
      name: 'grow_standby_answered_alone',
      help: 'Commits answered without the standby holding them since the hub started (acknowledged with RPO > 0)',
      registers,
      collect() {
        this.set(sources.standby().answeredAlone);
      },
    });
    new client.Gauge({
      name: 'grow_connections',
      help: 'TCP connections: open now; closed to make room for devices with tokens; refused',
      labelNames: ['kind'],
      registers,
      collect() {
        const c = sources.connections();
        this.set({ kind: 'open' }, c.open);
        this.set({ kind: 'evicted' }, c.evicted);
        this.set({ kind: 'refused' }, c.refused);
      },
    });
    new client.Gauge({
      name: 'grow_print_jobs',
      help: 'Print jobs: queued now; printed, failed attempts and moved to a backup printer since start',
      labelNames: ['kind'],
      registers,
      collect() {
        const p = sources.printing();
        this.set({ kind: 'queued' }, p.queued);
        this.set({ kind: 'printed' }, p.printed);
        this.set({ kind: 'failed_attempts' }, p.failedAttempts);
        this.set({ kind: 'moved_to_backup' }, p.movedToBackup);
      },
    });
    new client.Gauge({
      name: 'grow_printers',
      help: 'Printers by state (online, paper_out, cover_open, not_responding, unreachable, unknown)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(sources.printing().printers)) this.set({ state }, n);
      },
    });
    new client.Gauge({
      name: 'grow_commit_queue',
      help: 'Commands waiting for the next group commit',
      registers,
      collect() {
        this.set(sources.commits().pending);
      },
    });
    new client.Gauge({
      name: 'grow_commits',
      help: 'Group commits since start (commands ÷ commits = grouping)',
      labelNames: ['kind'],
      registers,
      collect() {
        const c = sources.commits();
        this.set({ kind: 'transactions' }, c.commits);
        this.set({ kind: 'commands' }, c.commands);
      },
    });
  }
}
