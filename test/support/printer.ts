import { createServer, type Server, type Socket } from 'node:net';

/** One job as the fake printer read it: the text lines, and what the commands asked for. */
export interface PrintedJob {
  lines: string[];
  text: string;
  cut: boolean;
  drawer: boolean;
  /** When its last byte arrived (performance.now()). */
  at: number;
}

export type PrinterBehaviour = 'ok' | 'refuse' | 'silent' | 'close_mid_job' | 'paper_out';

/** cp437's upper half, as far as the tests print it (accents, the rule line). */
const cp437: Record<number, string> = {
  128: 'Ç',
  129: 'ü',
  130: 'é',
  131: 'â',
  132: 'ä',
  133: 'à',
  135: 'ç',
  136: 'ê',
  137: 'ë',
  138: 'è',
  139: 'ï',
  140: 'î',
  142: 'Ä',
  144: 'É',
  147: 'ô',
  148: 'ö',
  150: 'û',
  151: 'ù',
  153: 'Ö',
  154: 'Ü',
  164: 'ñ',
  196: '─',
  205: '═',
  225: 'ß',
  250: '·',
};

/** Parameter bytes after ESC x and GS x for the commands receipt-printer-encoder writes. */
const escParams: Record<number, number> = {
  64: 0,
  116: 1,
  77: 1,
  69: 1,
  97: 1,
  45: 1,
  33: 1,
  51: 1,
  50: 0,
  100: 1,
  74: 1,
  112: 3,
  52: 1,
  71: 1,
};
const gsParams: Record<number, number> = { 33: 1, 66: 1, 76: 2, 87: 2 };

/**
 * A network receipt printer for tests: a TCP server on 127.0.0.1 (an ephemeral port) that speaks
 * enough ESC/POS to read a job back as text lines and to answer status requests (DLE EOT), and
 * that misbehaves on demand: refuses connections, accepts but never reads, closes mid-job, or
 * reports it is out of paper.
 */
export class FakePrinter {
  readonly jobs: PrintedJob[] = [];
  behaviour: PrinterBehaviour = 'ok';
  port = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(readonly name: string) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Stop listening: connections are refused until `start(this.port)` again. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise((r) => server.close(r));
  }

  /** Set how it behaves; `refuse` closes the listening port, anything else listens again. */
  async become(behaviour: PrinterBehaviour): Promise<void> {
    this.behaviour = behaviour;
    if (behaviour === 'refuse' && this.server) await this.stop();
    if (behaviour !== 'refuse' && !this.server) await this.start(this.port);
  }

  /** Every printed line of every job, one string (for `toContain`). */
  get text(): string {
    return this.jobs.map((j) => j.text).join('\n');
  }

  /** The job ids printed on the jobs' last line ("job 1a2b3c4d"). */
  get jobRefs(): string[] {
    return this.jobs.flatMap((j) =>
      j.lines.filter((l) => l.startsWith('job ')).map((l) => l.slice(4).trim()),
    );
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    if (this.behaviour === 'silent') {
      socket.pause(); // accepts, never reads: the kernel buffers fill and nothing answers
      return;
    }
    const decoder = new Decoder(
      (n) => this.status(n),
      (line) => socket.write(Uint8Array.of(line)),
    );
    let seen = 0;
    socket.on('data', (chunk: Buffer) => {
      if (this.behaviour === 'close_mid_job' && seen + chunk.length > 3) {
        socket.destroy();
        return;
      }
      seen += chunk.length;
      decoder.push(chunk);
    });
    socket.once('close', () => {
      const job = decoder.finish();
      if (job) this.jobs.push(job);
    });
  }

  /** The byte a printer answers to DLE EOT n. */
  private status(n: number): number {
    if (n === 4 && this.behaviour === 'paper_out') return 0x72; // paper end sensors
    return n === 1 ? 0x16 : 0x12;
  }
}

/** Reads ESC/POS as the printer would: text into lines, commands into flags. */
class Decoder {
  private bytes: number[] = [];
  private lines: string[] = [];
  private current = '';
  private cut = false;
  private drawer = false;
  private printed = false;
  private at = 0;

  constructor(
    private readonly status: (n: number) => number,
    private readonly answer: (byte: number) => void,
  ) {}

  push(chunk: Buffer): void {
    this.bytes.push(...chunk);
    this.at = performance.now();
    this.drain();
  }

  /** Consume whole commands; stop at one whose parameters have not arrived yet. */
  private drain(): void {
    let i = 0;
    const b = this.bytes;
    while (i < b.length) {
      const c = b[i]!;
      let size = 1;
      if (c === 0x10) {
        if (i + 2 >= b.length) break;
        if (b[i + 1] === 0x04) this.answer(this.status(b[i + 2]!));
        size = 3;
      } else if (c === 0x1b || c === 0x1d || c === 0x1c) {
        if (i + 1 >= b.length) break;
        const cmd = b[i + 1]!;
        let params = c === 0x1b ? (escParams[cmd] ?? 1) : c === 0x1d ? (gsParams[cmd] ?? 1) : 0;
        if (c === 0x1d && cmd === 0x56) {
          if (i + 2 >= b.length) break;
          params = b[i + 2]! >= 65 ? 2 : 1; // GS V m [n]
          this.cut = true;
        }
        if (c === 0x1b && cmd === 0x70) this.drawer = true;
        size = 2 + params;
        if (i + size > b.length) break;
        this.printed = true;
      } else {
        this.printed = true;
        if (c === 0x0a) {
          this.lines.push(this.current.trimEnd());
          this.current = '';
        } else if (c >= 0x20) {
          this.current += c < 0x80 ? String.fromCharCode(c) : (cp437[c] ?? '?');
        }
      }
      i += size;
    }
    this.bytes = b.slice(i);
  }

  finish(): PrintedJob | null {
    if (this.current) this.lines.push(this.current.trimEnd());
    if (!this.printed) return null;
    const lines = this.lines.filter((l) => l.length > 0);
    return { lines, text: lines.join('\n'), cut: this.cut, drawer: this.drawer, at: this.at };
  }
}
