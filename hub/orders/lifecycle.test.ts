import { describe, expect, it } from 'vitest';
import type { OrderLine, OrderStatus } from '../../protocol/orders.ts';
import { canMoveOrder, moveTicket, statusFromTickets } from './lifecycle.ts';
import { routeTickets } from './routing.ts';

describe('order state machine', () => {
  it('allows the kitchen path and refuses moves out of final states', () => {
    const path: OrderStatus[] = ['open', 'sent', 'in_progress', 'ready', 'completed'];
    for (let i = 1; i < path.length; i++) expect(canMoveOrder(path[i - 1]!, path[i]!)).toBe(true);
    for (const to of ['open', 'sent', 'in_progress', 'ready', 'voided'] as OrderStatus[]) {
      expect(canMoveOrder('completed', to)).toBe(false);
      expect(canMoveOrder('voided', to)).toBe(false);
    }
    expect(canMoveOrder('open', 'ready')).toBe(false);
    expect(canMoveOrder('open', 'completed')).toBe(false);
    expect(canMoveOrder('sent', 'open')).toBe(false);
  });

  it('moves tickets only along legal paths', () => {
    expect(moveTicket('open', 'start')).toBe('started');
    expect(moveTicket('started', 'bump')).toBe('bumped');
    expect(moveTicket('open', 'bump')).toBe('bumped');
    expect(moveTicket('bumped', 'recall')).toBe('open');
    expect(moveTicket('bumped', 'bump')).toBeNull();
    expect(moveTicket('open', 'recall')).toBeNull();
    expect(moveTicket('voided', 'bump')).toBeNull();
  });

  it('derives kitchen progress from tickets, ignoring voided ones', () => {
    expect(statusFromTickets('sent', ['open', 'open'])).toBe('sent');
    expect(statusFromTickets('sent', ['started', 'open'])).toBe('in_progress');
    expect(statusFromTickets('in_progress', ['bumped', 'open'])).toBe('in_progress');
    expect(statusFromTickets('in_progress', ['bumped', 'bumped'])).toBe('ready');
    expect(statusFromTickets('in_progress', ['bumped', 'voided'])).toBe('ready');
    expect(statusFromTickets('ready', ['bumped', 'open'])).toBe('in_progress');
    expect(statusFromTickets('completed', ['open'])).toBe('completed');
    expect(statusFromTickets('open', [])).toBe('open');
  });
});

describe('routeTickets', () => {
  it('makes one ticket per station, in first-appearance order', () => {
    const line = (lineNo: number, stationId: string): OrderLine => ({
      lineNo,
      stationId,
      itemId: 'x',
      name: 'x',
      qty: 1,
      unitPrice: 1,
      modifiers: [],
      note: null,
      taxClassId: 't',
      lineTotal: 1,
    });
    expect(routeTickets([line(1, 'bar'), line(2, 'grill'), line(3, 'bar')])).toEqual([
      { stationId: 'bar', lineNos: [1, 3] },
      { stationId: 'grill', lineNos: [2] },
    ]);
  });
});
