import { connect, type Socket } from 'node:net';
import type { PrinterSettings } from '../../protocol/printers.ts';
import { statusProblem, statusRequest } from './escpos.ts';

/** Why a job did not print, in the state the admin page shows for the printer. */
export class PrintError extends Error {
  constructor(
    readonly state: 'unreachable' | 'not_responding' | 'paper_out' | 'cover_open',
    message: string,
  ) {
    super(message);
  }
}

export interface TransportTimeouts {
  connectMs: number;
  /** How long a status answer may take (and a confirmation after the job). */
  replyMs: number;
}

/**
 * One job to one printer over raw TCP (port 9100), bounded by timeouts at every step. With
 * `confirm: status` the hub asks for the cover and paper state before the job (so a job is not
 * sent into an open printer) and for the printer state after it: the answer can only come once
 * the printer has read every byte before it, which is how a printer that accepts connections but
 * stopped reading is told from one that printed.
 */
export async function sendToPrinter(
  printer: Pick<PrinterSettings, 'host' | 'port' | 'confirm'>,
  bytes: Uint8Array,
  timeouts: TransportTimeouts,
): Promise<void> {
  const socket = connect({ host: printer.host, port: printer.port });
  socket.setNoDelay(true);
  const replies = new Replies(socket);
  try {
    await connected(socket, timeouts.connectMs, `${printer.host}:${printer.port}`);
    if (printer.confirm === 'status') {
      for (const n of [2, 4] as const) {
        const problem = statusProblem(n, await replies.ask(n, timeouts.replyMs));
        if (problem) throw new PrintError(problem, problem === 'paper_out' ? 'out of paper' : 'cover open');
      }
    }
    await write(socket, bytes);
    if (printer.confirm === 'status') await replies.ask(1, timeouts.replyMs);
    else await new Promise<void>((resolve) => socket.end(resolve));
  } finally {
    socket.destroy();
  }
}

/** Ask an idle printer how it is (cover and paper), so its state stays true between jobs. */
export async function probePrinter(
  printer: Pick<PrinterSettings, 'host' | 'port' | 'confirm'>,
  timeouts: TransportTimeouts,
): Promise<void> {
  const socket = connect({ host: printer.host, port: printer.port });
  const replies = new Replies(socket);
  try {
    await connected(socket, timeouts.connectMs, `${printer.host}:${printer.port}`);
    if (printer.confirm === 'none') return; // it never answers: a connection is all we can know
    for (const n of [2, 4] as const) {
      const problem = statusProblem(n, await replies.ask(n, timeouts.replyMs));
      if (problem) throw new PrintError(problem, problem === 'paper_out' ? 'out of paper' : 'cover open');
    }
  } finally {
    socket.destroy();
  }
}

function connected(socket: Socket, ms: number, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new PrintError('unreachable', `no connection to ${where} in ${ms} ms`)),
      ms,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new PrintError('unreachable', `${where}: ${err.code ?? err.message}`));
    });
  });
}

function write(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.write(bytes, (err) =>
      err ? reject(new PrintError('not_responding', `closed mid-job (${err.message})`)) : resolve(),
    ),
  );
}

/** Status answers, one byte each, in the order they were asked for. */
class Replies {
  private readonly bytes: number[] = [];
  private waiting: ((byte: number | null) => void) | null = null;
  private closed = false;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes.push(...chunk);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      // reported by the step that was waiting: connect, write, or ask (as a close)
    });
  }

  private wake(): void {
    if (!this.waiting) return;
    if (this.bytes.length > 0) this.waiting(this.bytes.shift()!);
    else if (this.closed) this.waiting(null);
  }

  ask(n: 1 | 2 | 4, ms: number): Promise<number> {
    this.socket.write(statusRequest(n));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new PrintError('not_responding', `no answer to a status request in ${ms} ms`));
      }, ms);
      this.waiting = (byte) => {
        clearTimeout(timer);
        this.waiting = null;
        if (byte === null) reject(new PrintError('not_responding', 'closed the connection mid-job'));
        else resolve(byte);
      };
      this.wake();
    });
  }
}
