import { useRef, useState } from 'preact/hooks';
import type { CheckList, CheckSummary } from '../../protocol/checks.ts';
import type { CreateOrderBody, Order } from '../../protocol/orders.ts';
import type { ApprovalInput } from '../../protocol/staff.ts';
import { uuidv7Source } from '../../protocol/uuidv7.ts';
import { api, HubUnreachable, staffSession } from '../shared/session.ts';
import { outbox, type QueuedCommand } from './outbox.ts';

export type Notice = { tone: 'ok' | 'bad' | 'warn'; text: string };

const newId = uuidv7Source();

/** What a command on a check came to, for the screen that sent it. */
export type CommandOutcome =
  | { kind: 'done'; value: unknown }
  | { kind: 'queued' }
  | { kind: 'stale'; current: Order; redo: () => Promise<CommandOutcome> }
  | { kind: 'refused'; message: string }
  | { kind: 'cancelled' };

export interface ListFilter {
  state: 'open' | 'closed';
  q: string;
}

/**
 * The till's checks and commands. New checks and commands go into the IndexedDB outbox first and
 * are sent from there (oldest first, idempotent by their ids), so what a cashier rings in while
 * the hub is away is never lost; one the hub refuses on replay is shown by name until dismissed.
 * Also the check list (a page at a time, nothing out of reach) and the commands on a check, with
 * a manager's approval asked for when the hub needs one.
 */
export function useOrders(
  askApproval: (why: string, permission: string | null) => Promise<ApprovalInput | null>,
) {
  const [queued, setQueued] = useState<QueuedCommand[]>([]);
  const [checks, setChecks] = useState<CheckSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [filter, setFilterState] = useState<ListFilter>({ state: 'open', q: '' });
  const [notice, setNotice] = useState<Notice | null>(null);
  /** The hub no longer knows this till's token (revoked): keep everything, offer pairing again. */
  const [unpaired, setUnpairedState] = useState(false);
  const unpairedRef = useRef(false);
  const setUnpaired = (v: boolean) => {
    unpairedRef.current = v;
    setUnpairedState(v);
  };
  const flushing = useRef(false);
  const filterRef = useRef(filter);

  const listPath = (f: ListFilter, cursor?: string) => {
    const q = new URLSearchParams({ state: f.state, limit: '25' });
    if (f.q.trim()) q.set('q', f.q.trim());
    if (cursor) q.set('cursor', cursor);
    return `/api/v1/checks?${q}`;
  };
  /** The first page again (after any change); pages already shown stay until then. */
  const loadRecent = async () => {
    try {
      const res = await api<CheckList>('GET', listPath(filterRef.current));
      if (res.ok) {
        setChecks(res.body.checks);
        setNext(res.body.next);
      }
    } catch {
      // the hub is away: the list refreshes when the stream is live again
    }
  };
  const more = async () => {
    if (!next) return;
    const res = await api<CheckList>('GET', listPath(filterRef.current, next)).catch(() => null);
    if (res?.ok) {
      setChecks((c) => [...c, ...res.body.checks.filter((x) => !c.some((y) => y.id === x.id))]);
      setNext(res.body.next);
    }
  };
  const setFilter = (f: ListFilter) => {
    filterRef.current = f;
    setFilterState(f);
    void loadRecent();
  };
  const loadQueued = async () => setQueued(await outbox.all());

  /** Send what the outbox holds, oldest first; stop at the first sign the hub is away. */
  const flush = async () => {
    if (flushing.current) return;
    flushing.current = true;
    try {
      for (const q of await outbox.all()) {
        if (q.refused) continue;
        let res: Awaited<ReturnType<typeof api<Order>>>;
        try {
          // Sent as whoever took it, even if someone else is signed in now.
          res = await api<Order>('POST', q.path, q.body, undefined, q.staff ?? null);
        } catch (err) {
          if (err instanceof HubUnreachable) break;
          throw err;
        }
        // Busy, rate-limited or restarting: the hub will take it later, so keep it queued.
        if (res.status === 408 || res.status === 429 || res.status >= 500) break;
        // Not the command's fault: the till must pair again; it stays queued until then.
        if (res.status === 401 && res.problem?.code !== 'STAFF_SIGNED_OUT') {
          setUnpaired(true);
          break;
        }
        if (res.ok) {
          await outbox.remove(q.id);
          const number = (res.body as Partial<Order>).number;
          setNotice({ tone: 'ok', text: number ? `${q.label} sent as #${number}` : `${q.label} sent` });
        } else {
          const refused = {
            code: res.problem?.code ?? 'INTERNAL',
            detail: res.problem?.detail ?? `HTTP ${res.status}`,
          };
          await outbox.put({ ...q, refused });
          setNotice({ tone: 'bad', text: `${q.label} was not accepted: ${refused.detail}` });
        }
      }
    } finally {
      await loadQueued();
      flushing.current = false;
    }
  };

  const enqueue = async (command: QueuedCommand) => {
    await outbox.put(command);
    await loadQueued();
    await flush();
    const still = (await outbox.all()).find((q) => q.id === command.id);
    if (still && !still.refused) {
      setNotice(
        unpairedRef.current
          ? {
              tone: 'bad',
              text: `${command.label} is kept on this till: the till is no longer paired with the hub. Pair again to send it.`,
            }
          : {
              tone: 'warn',
              text: `${command.label} queued: the hub is unreachable; it will be sent by itself.`,
            },
      );
    }
    await loadRecent();
    return still ? (still.refused ? 'refused' : 'queued') : 'sent';
  };

  /** A new check: into the outbox, then to the hub. */
  const send = (body: CreateOrderBody, label: string) =>
    enqueue({
      id: body.id,
      path: '/api/v1/orders',
      body,
      label,
      queuedAt: new Date().toISOString(),
      staff: staffSession(),
    });

  /**
   * A command on an open check, with the version the cashier saw. Asks a manager when the hub
   * needs one; answers `stale` (with the check as it is now and a redo) when another till was
   * first; queues it when the hub is away (except what needs a PIN, which cannot wait).
   */
  const command = async (
    check: Pick<Order, 'id' | 'version'>,
    verb: string,
    fields: Record<string, unknown>,
    label: string,
  ): Promise<CommandOutcome> => {
    const body: Record<string, unknown> = { commandId: newId(), expectedVersion: check.version, ...fields };
    const path = `/api/v1/orders/${check.id}/${verb}`;
    for (;;) {
      let res: Awaited<ReturnType<typeof api<unknown>>>;
      try {
        res = await api('POST', path, body);
      } catch (err) {
        if (!(err instanceof HubUnreachable)) throw err;
        if (body.approval)
          return {
            kind: 'refused',
            message: 'The hub is unreachable; a manager’s approval cannot wait. Try again when it is back.',
          };
        await enqueue({
          id: body.commandId as string,
          path,
          body,
          label,
          queuedAt: new Date().toISOString(),
          staff: staffSession(),
        });
        return { kind: 'queued' };
      }
      if (res.ok) {
        await loadRecent();
        return { kind: 'done', value: res.body };
      }
      if (res.status === 401 && res.problem?.code === 'STAFF_SIGNED_OUT') {
        return { kind: 'refused', message: res.problem.detail };
      }
      if (res.status === 401) {
        setUnpaired(true);
        return {
          kind: 'refused',
          message: 'This till is no longer paired with the hub; pair it again, then redo this.',
        };
      }
      const problem = res.problem;
      if (problem?.code === 'PERMISSION_REQUIRED' && !body.approval) {
        const approval = await askApproval(problem.detail, problem.permission ?? null);
        if (!approval) return { kind: 'cancelled' };
        body.approval = approval;
        continue;
      }
      if (problem?.code === 'CHECK_VERSION_STALE' && problem.current) {
        const current = problem.current as Order;
        return { kind: 'stale', current, redo: () => command(current, verb, fields, label) };
      }
      return { kind: 'refused', message: problem?.detail ?? `The hub answered ${res.status}.` };
    }
  };

  /** A plain action on a check (complete, void), reported in the notice line. */
  const act = async (check: { id: string; number: number }, path: string, body: unknown, done: string) => {
    try {
      const res = await api<Order>('POST', `/api/v1/orders/${check.id}/${path}`, body);
      setNotice(res.ok ? { tone: 'ok', text: done } : { tone: 'bad', text: res.problem?.detail ?? 'failed' });
      await loadRecent();
      return res.ok;
    } catch {
      setNotice({ tone: 'bad', text: 'The hub is unreachable; try again in a moment.' });
      return false;
    }
  };
  const complete = (check: { id: string; number: number }) =>
    act(check, 'complete', undefined, `Check #${check.number} closed`);
  const voidOrder = (check: { id: string; number: number }) => {
    const reason = prompt(`Void check #${check.number}? Reason:`);
    if (!reason || reason.trim().length < 3) return;
    return act(check, 'void', { reason: reason.trim() }, `Check #${check.number} voided`);
  };
  const dismiss = async (id: string) => {
    await outbox.remove(id);
    await loadQueued();
  };

  return {
    queued,
    unpaired,
    setUnpaired,
    checks,
    hasMore: next !== null,
    more,
    filter,
    setFilter,
    notice,
    setNotice,
    loadRecent,
    loadQueued,
    flush,
    send,
    command,
    complete,
    voidOrder,
    dismiss,
  };
}
