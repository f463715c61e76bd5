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
  it('makes one ticket per station, course and round, sorted by station', () => {
    const line = (lineNo: number, stationId: string, course: string | null = null, round = 1): OrderLine => ({
      id: `00000000-0000-7000-8000-${String(lineNo).padStart(12, '0')}`,
      lineNo,
      round,
      seat: null,
      course,
      kitchen: 'unsent',
      ticketId: null,
      stationId,
      itemId: 'x',
      name: 'x',
      qty: 1,
      unitPrice: 1,
      modifiers: [],
      note: null,
      taxClassId: 't',
      lineTotal: 1,
      discount: 0,
      void: null,
      comp: null,
      share: null,
    });
    const nos = (routes: ReturnType<typeof routeTickets>) =>
      routes.map((r) => ({
        stationId: r.stationId,
        course: r.course,
        round: r.round,
        lineNos: r.lines.map((l) => l.lineNo),
      }));
    expect(nos(routeTickets([line(1, 'grill'), line(2, 'bar'), line(3, 'grill')]))).toEqual([
      { stationId: 'bar', course: null, round: 1, lineNos: [2] },
      { stationId: 'grill', course: null, round: 1, lineNos: [1, 3] },
    ]);
    const courses = [
      line(1, 'grill', 'starters'),
      line(2, 'grill', 'mains'),
      line(3, 'grill', 'starters'),
      line(4, 'grill', 'starters', 2),
    ];
    expect(nos(routeTickets(courses))).toEqual([
      { stationId: 'grill', course: 'starters', round: 1, lineNos: [1, 3] },
      { stationId: 'grill', course: 'mains', round: 1, lineNos: [2] },
      { stationId: 'grill', course: 'starters', round: 2, lineNos: [4] },
    ]);
  });
});
