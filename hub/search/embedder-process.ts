import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BackoffPolicy, backoffDelay } from '../../protocol/backoff.ts';
import type { Logger } from '../../protocol/logger.ts';
import type { Embedder } from './embedder.ts';

export type EmbedderRequest = { id: number; texts: readonly string[] };
export type EmbedderReply =
  | { type: 'ready'; modelId: string; dimension: number; pid: number }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; vectors: Float32Array[] }
  | { type: 'error'; id: number; message: string };

/** Thrown by `embed` while the embedding process is down, restarting, wedged or saturated. */
class EmbedderUnavailable extends Error {}

export interface EmbedderProcessOptions {
  /** An operator's sentence-transformers folder; the shipped model when absent. */
  modelDir?: string;
  /** Deadline for one embed call; past it the process is presumed wedged and is replaced. */
  timeoutMs: number;
  /** Requests in flight at most; more are refused rather than queued without bound. */
  maxPending: number;
  /** The child's V8 heap cap (MB): a runaway model dies alone and is restarted. */
  maxHeapMb: number;
  restartBackoff: BackoffPolicy;
  log: Logger;
  /** After every restart (not the first start): the hub re-embeds what it could not meanwhile. */
  onRestart?: () => void;
  /** Each embed call: its start (epoch ms), duration and size, for the stall trace. */
  observe?: (at: number, ms: number, texts: number) => void;
}

export type EmbedderStatus = 'starting' | 'ready' | 'restarting' | 'stopped';

const fromSource = import.meta.url.endsWith('.ts');
const childEntry = fileURLToPath(new URL(`./embedder-child.${fromSource ? 'ts' : 'js'}`, import.meta.url));
// Sources run through tsx (development, tests); the compiled build needs no loader.
const loaderArgs = fromSource ? ['--import', import.meta.resolve('tsx')] : [];

/**
 * The embedding model runs in its own process, supervised from here. onnxruntime is native code
 * and an operator may drop in any sentence-transformers model: a crash, a hang or a 400 MB model
 * must not take order-taking with it (the cloud-only system ran everything in one process). The hub keeps
 * serving while the embedder is down: search answers lexically, menu vectors are filled in once
 * it is back. It also keeps the runtime's ~50 MB out of the process that holds every socket.
 */
export class EmbedderProcess implements Embedder {
  modelId = '';
  dimension = 0;
  status: EmbedderStatus = 'starting';
  /** Times the process died or was replaced since the hub started. */
  restarts = 0;
  private child: ChildProcess | null = null;
  private readonly pending = new Map<
    number,
    { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private nextId = 1;
  private failedInARow = 0;
  private restartTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly options: EmbedderProcessOptions) {}

  /** Resolves once the model is loaded; rejects if it cannot be (no restarts for a bad model). */
  static async start(options: EmbedderProcessOptions): Promise<EmbedderProcess> {
    const embedder = new EmbedderProcess(options);
    try {
      await embedder.spawn();
    } catch (err) {
      await embedder.stop();
      throw err;
    }
    return embedder;
  }

  get pid(): number | null {
    return this.status === 'ready' ? (this.child?.pid ?? null) : null;
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    const child = this.child;
    if (this.status !== 'ready' || !child?.connected)
      return Promise.reject(new EmbedderUnavailable(`the embedding process is ${this.status}`));
    if (this.pending.size >= this.options.maxPending)
      return Promise.reject(new EmbedderUnavailable('the embedding process is saturated'));
    const id = this.nextId++;
    const started = performance.now();
    const answer = new Promise<Float32Array[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new EmbedderUnavailable(`no answer from the embedding process in ${this.options.timeoutMs} ms`),
        );
        this.options.log.warn(
          { timeoutMs: this.options.timeoutMs },
          'embedding process wedged; replacing it',
        );
        child.kill('SIGKILL');
      }, this.options.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send({ id, texts } satisfies EmbedderRequest);
    });
    const observe = this.options.observe;
    if (observe) {
      const done = () => observe(performance.timeOrigin + started, performance.now() - started, texts.length);
      answer.then(done, done);
    }
    return answer;
  }

  async stop(): Promise<void> {
    this.status = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = null;
    this.failAll('the hub is stopping');
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
  }

  private spawn(): Promise<void> {
    const child = fork(childEntry, [], {
      execArgv: [...loaderArgs, '--max-semi-space-size=1', `--max-old-space-size=${this.options.maxHeapMb}`],
      serialization: 'advanced', // Float32Array crosses as bytes, not as JSON numbers
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Inside the desktop app process.execPath is Electron: run it as plain Node.
      env: {
        ...process.env,
        ELECTRON_RUN_AS_NODE: '1',
        GROW_EMBEDDER_MODEL_DIR: this.options.modelDir ?? '',
      },
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      let ready = false;
      child.on('message', (reply: EmbedderReply) => {
        if (reply.type === 'ready') {
          ready = true;
          this.modelId = reply.modelId;
          this.dimension = reply.dimension;
          this.status = 'ready';
          this.failedInARow = 0;
          resolve();
        } else if (reply.type === 'failed') {
          reject(new Error(`the embedding model could not be loaded: ${reply.message}`));
        } else this.settle(reply);
      });
      child.on('error', (err) => {
        if (!ready) reject(err);
      });
      child.on('exit', (code, signal) => {
        if (this.child !== child) return;
        this.child = null;
        this.failAll('the embedding process exited');
        if (!ready)
          reject(new Error(`the embedding process exited during start (code ${code}, signal ${signal})`));
        else if (this.status !== 'stopped') this.scheduleRestart(code, signal);
      });
    });
  }

  private scheduleRestart(code: number | null, signal: NodeJS.Signals | null): void {
    this.status = 'restarting';
    this.restarts++;
    const delay = backoffDelay(this.failedInARow++, this.options.restartBackoff);
    this.options.log.warn(
      { code, signal, restartInMs: delay, restarts: this.restarts },
      'embedding process died; search is lexical until it is back',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.status === 'stopped') return;
      this.spawn().then(
        () => {
          this.options.log.info({ pid: this.child?.pid }, 'embedding process back');
          this.options.onRestart?.();
        },
        (err: Error) => {
          if (this.status === 'stopped') return;
          this.options.log.warn({ err: err.message }, 'embedding process failed to restart');
          this.scheduleRestart(null, null);
        },
      );
    }, delay);
    this.restartTimer.unref();
  }

  private settle(reply: Extract<EmbedderReply, { id: number }>): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return; // already timed out
    this.pending.delete(reply.id);
    clearTimeout(waiter.timer);
    if (reply.type === 'result') waiter.resolve(reply.vectors);
    else waiter.reject(new Error(reply.message));
  }

  private failAll(reason: string): void {
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new EmbedderUnavailable(reason));
      this.pending.delete(id);
    }
  }
}
