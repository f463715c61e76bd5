import type { OrderStatus, TicketStatus } from '../../protocol/orders.ts';

/**
 * The order state machine. Kitchen progress (sent → in progress → ready, and back on a recall)
 * follows the tickets; completing and voiding are explicit. A completed order is never voided:
 * money already moved, so that is a refund's job.
 */
const orderMoves: Record<OrderStatus, readonly OrderStatus[]> = {
  open: ['sent', 'voided'],
  sent: ['in_progress', 'ready', 'completed', 'voided'],
  in_progress: ['sent', 'ready', 'completed', 'voided'],
  ready: ['in_progress', 'sent', 'completed', 'voided'],
  // Final for the kitchen and the till; only an explicit reopen (CheckService.reopen, which needs
  // "check.reopen" and a day not closed by a Z) brings a completed check back.
  completed: [],
  voided: [],
};

export function canMoveOrder(from: OrderStatus, to: OrderStatus): boolean {
  return orderMoves[from].includes(to);
}

export type TicketAction = 'start' | 'bump' | 'recall' | 'void';

const ticketMoves: Record<TicketAction, { from: readonly TicketStatus[]; to: TicketStatus }> = {
  start: { from: ['open'], to: 'started' },
  bump: { from: ['open', 'started'], to: 'bumped' },
  recall: { from: ['bumped'], to: 'open' },
  void: { from: ['held', 'open', 'started', 'bumped'], to: 'voided' },
};

/** The ticket's next status, or null when the action is illegal from `from`. */
export function moveTicket(from: TicketStatus, action: TicketAction): TicketStatus | null {
  const move = ticketMoves[action];
  return move.from.includes(from) ? move.to : null;
}

/**
 * Where kitchen progress puts an order: every ticket bumped → ready; any started or bumped →
 * in progress; otherwise sent. Orders not in the kitchen (open, completed, voided) stay put.
 */
export function statusFromTickets(current: OrderStatus, tickets: readonly TicketStatus[]): OrderStatus {
  if (current !== 'sent' && current !== 'in_progress' && current !== 'ready') return current;
  const live = tickets.filter((t) => t !== 'voided');
  if (live.length > 0 && live.every((t) => t === 'bumped')) return 'ready';
  if (live.some((t) => t === 'started' || t === 'bumped')) return 'in_progress';
  return 'sent';
}
