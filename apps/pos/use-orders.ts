import { useRef, useState } from 'preact/hooks';
import type { CreateOrderBody, Order } from '../../protocol/orders.ts';
import { api, HubUnreachable } from '../shared/session.ts';
import { outbox, type QueuedOrder } from './outbox.ts';

export type Notice = { tone: 'ok' | 'bad' | 'warn'; text: string };

/**
 * Orders from this till: each goes into the IndexedDB outbox first and is sent from there (oldest
 * first, idempotent by its id), so an order taken while the hub is away is never lost. Also the
 * recent orders list and the actions on them.
 */
export function useOrders() {
  const [queued, setQueued] = useState<QueuedOrder[]>([]);
  const [recent, setRecent] = useState<Order[]>([]);
  const [notice, setNotice] = useState<Notice | null>(null);
  const flushing = useRef(false);

  const loadRecent = async () => {
    try {
      const res = await api<{ orders: Order[] }>('GET', '/api/v1/orders?limit=12');
      if (res.ok) setRecent(res.body.orders);
    } catch {
      // the hub is away: the list refreshes when the stream is live again
    }
  };
  const loadQueued = async () => setQueued(await outbox.all());

  /** Send what the outbox holds, oldest first; stop at the first sign the hub is away. */
  const flush = async () => {
    if (flushing.current) return;
    flushing.current = true;
    try {
      for (const q of await outbox.all()) {
        let res: Awaited<ReturnType<typeof api<Order>>>;
        try {
          res = await api<Order>('POST', '/api/v1/orders', q.body);
        } catch (err) {
          if (err instanceof HubUnreachable) break;
          throw err;
        }
        // Busy, rate-limited or restarting: the hub will take it later, so keep it queued.
        if (res.status === 408 || res.status === 429 || res.status >= 500) break;
        await outbox.remove(q.id);
        if (res.ok) setNotice({ tone: 'ok', text: `Order #${res.body.number} sent to the kitchen` });
        else setNotice({ tone: 'bad', text: `Order not accepted: ${res.problem?.detail ?? res.status}` });
      }
    } finally {
      await loadQueued();
      flushing.current = false;
    }
  };

  const send = async (body: CreateOrderBody) => {
    await outbox.put({ id: body.id, body, queuedAt: new Date().toISOString() });
    await loadQueued();
    setNotice({ tone: 'warn', text: 'Sending…' });
    await flush();
    if ((await outbox.all()).some((q) => q.id === body.id)) {
      setNotice({
        tone: 'warn',
        text: 'The hub is unreachable: the order is queued on this till and will be sent automatically.',
      });
    }
    await loadRecent();
  };

  /** A command on a recent order (complete, void), reported in the notice line. */
  const act = async (order: Order, path: string, body: unknown, done: string) => {
    try {
      const res = await api<Order>('POST', `/api/v1/orders/${order.id}/${path}`, body);
      setNotice(res.ok ? { tone: 'ok', text: done } : { tone: 'bad', text: res.problem?.detail ?? 'failed' });
      await loadRecent();
    } catch {
      setNotice({ tone: 'bad', text: 'The hub is unreachable; try again in a moment.' });
    }
  };
  const complete = (order: Order) => act(order, 'complete', undefined, `Order #${order.number} completed`);
  const voidOrder = (order: Order) => {
    const reason = prompt(`Void order #${order.number}? Reason:`);
    if (!reason || reason.trim().length < 3) return;
    return act(order, 'void', { reason: reason.trim() }, `Order #${order.number} voided`);
  };

  return { queued, recent, notice, setNotice, loadRecent, loadQueued, flush, send, complete, voidOrder };
}
