import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabourLine, Punch } from '../protocol/day.ts';
import { businessDateAt, countTotal, drawerExpected, labourLines, nextDate, tipShares } from './day.ts';

const ref = (name: string) => ({ staffId: `00000000-0000-7000-8000-${name.padStart(12, '0')}`, name });

describe('the business day', () => {
  it('counts from the day start, and never lands on a day a Z closed', () => {
    // The hub's local time zone is the process's: these tests run in UTC (.ci/run, vitest).
    const tz = new Date().getTimezoneOffset();
    const local = (hhmm: string, day = '2026-11-28') =>
      new Date(Date.parse(`${day}T${hhmm}:00Z`) + tz * 60_000).toISOString();
    expect(businessDateAt(local('23:30'), '04:00', null)).toBe('2026-11-28');
    expect(businessDateAt(local('01:30', '2026-11-29'), '04:00', null)).toBe('2026-11-28');
    expect(businessDateAt(local('04:00', '2026-11-29'), '04:00', null)).toBe('2026-11-29');
    // After the Z of the 28th, a check at 23:45 that same night starts the 29th.
    expect(businessDateAt(local('23:45'), '04:00', '2026-11-28')).toBe('2026-11-29');
    expect(nextDate('2026-12-31')).toBe('2027-01-01');
  });
});

describe('hours', () => {
  it('takes unpaid breaks off the shift, keeps paid ones, and prices the minutes at the wage', () => {
    const punch: Punch = {
      id: '00000000-0000-7000-8000-00000000000a',
      staff: ref('1'),
      job: 'server',
      inAt: '2026-11-28T17:00:00Z',
      outAt: '2026-11-28T23:00:00Z',
      breaks: [
        { startAt: '2026-11-28T19:00:00Z', endAt: '2026-11-28T19:30:00Z', paid: false },
        { startAt: '2026-11-28T21:00:00Z', endAt: '2026-11-28T21:10:00Z', paid: true },
      ],
      edited: null,
    };
    const [line] = labourLines([punch], new Map([[punch.staff.staffId, 1_500]]), '2026-11-29T00:00:00Z');
    expect(line).toMatchObject({ minutes: 330, breakMinutes: 40, cost: 8_250, open: false });
    const open = labourLines([{ ...punch, outAt: null, breaks: [] }], new Map(), '2026-11-28T18:00:00Z');
    expect(open[0]).toMatchObject({ minutes: 60, cost: null, open: true });
  });
});

describe('a drawer', () => {
  it('should hold the float, cash sales and tips, less refunds, plus paid-ins, less paid-outs and drops', () => {
    const moves = [
      { kind: 'paid_in', amount: 1_000 },
      { kind: 'paid_out', amount: 1_250 },
      { kind: 'drop', amount: 5_000 },
      { kind: 'no_sale', amount: 0 },
    ].map((m, i) => ({ ...m, id: String(i), reason: null, by: null, approvedBy: null, at: '' })) as never;
    const e = drawerExpected(
      { float: 15_000, moves },
      {
        payments: [
          { amount: 2_706, tip: 300 },
          { amount: 2_646, tip: 0 },
        ],
        refunds: [{ amount: 500 }],
      },
    );
    expect(e.expected).toBe(15_000 + 2_706 + 300 + 2_646 - 500 + 1_000 - 1_250 - 5_000);
    expect(countTotal({ '10000': 1, '2000': 3, '25': 4, '1': 2 })).toBe(16_102);
  });
});

describe('a tip pool', () => {
  const line = (name: string, job: string, minutes: number): LabourLine => ({
    staff: ref(name),
    job,
    minutes,
    breakMinutes: 0,
    cost: null,
    open: false,
  });

  it('shares by hours, or by hours × points per job, and leaves out jobs with no points', () => {
    const labour = [
      line('1', 'server', 300),
      line('2', 'server', 100),
      line('3', 'busser', 400),
      line('4', 'host', 200),
    ];
    expect(tipShares(10_000, 'hours', labour, {}).map((s) => s.amount)).toEqual([3_000, 1_000, 4_000, 2_000]);
    const points = tipShares(10_000, 'points', labour, { server: 10, busser: 5 });
    expect(points.map((s) => [s.staff.name, s.amount])).toEqual([
      ['1', 5_000],
      ['2', 1_667],
      ['3', 3_333],
    ]);
    expect(tipShares(10_000, 'none', labour, {})).toEqual([]);
  });

  it('always adds up to the pool, to the cent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom('hours' as const, 'points' as const),
        (pool, minutes, mode) => {
          const labour = minutes.map((m, i) => line(String(i + 1), i % 2 ? 'server' : 'busser', m));
          const shares = tipShares(pool, mode, labour, { server: 3, busser: 2 });
          expect(shares.reduce((s, x) => s + x.amount, 0)).toBe(pool > 0 ? pool : 0);
        },
      ),
    );
  });
});
