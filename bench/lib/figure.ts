/** One row of the benchmark table. */
export interface Figure {
  group: string;
  figure: string;
  value: number;
  unit: string;
  /** e.g. "< 10" or "> 2000" (the budgets in docs/architecture.md); null where none is set. */
  budget: string | null;
  /** The cloud-only system's target (docs/benchmarks.md), for comparison. */
  audit: string | null;
  min?: number;
  max?: number;
  note?: string;
  /** Where the servers and the load ran (bench/lib/placement.ts); absent: shared. */
  placement?: 'shared' | 'pinned';
}

export interface BenchOptions {
  quick: boolean;
  full: boolean;
  seconds: number;
  reps: number;
}
