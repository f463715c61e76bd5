import type { Logger } from '../protocol/logger.ts';

/**
 * A part of the hub with a lifetime: started in the order registered, stopped in reverse. One
 * without `start` is open from the moment it is built (the store, the committer) and is always
 * stopped.
 */
export interface Service {
  name: string;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

/**
 * The hub's services in the order they start. Stopping runs the reverse order, so a part stops
 * only after everything that depends on it: the web server before the committer it writes
 * through, the committer before the store it writes to.
 */
export class Services {
  private readonly list: Service[] = [];
  private readonly started = new Set<Service>();

  constructor(private readonly log: Logger) {}

  add(service: Service): this {
    if (this.list.some((s) => s.name === service.name))
      throw new Error(`Two services are named "${service.name}"; each name may be registered once.`);
    this.list.push(service);
    return this;
  }

  names(): string[] {
    return this.list.map((s) => s.name);
  }

  /** Start each in order; if one fails, stop those already started and rethrow. */
  async start(): Promise<void> {
    for (const service of this.list) {
      try {
        await service.start?.();
      } catch (err) {
        this.log.error({ service: service.name, err }, 'service failed to start; stopping the others');
        await this.stop();
        throw err;
      }
      this.started.add(service);
    }
  }

  /** Stop what runs, newest first; a failing stop is logged and the rest still stop. */
  async stop(): Promise<void> {
    const running = this.list.filter((s) => !s.start || this.started.has(s)).reverse();
    this.list.length = 0;
    for (const service of running) {
      try {
        this.log.debug({ service: service.name }, 'stopping');
        await service.stop?.();
      } catch (err) {
        this.log.error({ service: service.name, err }, 'service failed to stop cleanly');
      }
    }
  }
}

/** A task on a timer, as a service: started with the hub, stopped with it; a failure is logged. */
export function every(name: string, intervalMs: number, log: Logger, task: () => Promise<unknown>): Service {
  let timer: NodeJS.Timeout | null = null;
  return {
    name,
    start: () => {
      timer = setInterval(() => {
        task().catch((err) => log.error({ err }, `${name} failed; it runs again in ${intervalMs} ms`));
      }, intervalMs);
      timer.unref();
    },
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
