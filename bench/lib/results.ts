/** Result rows and the printed table. */
import { median, range } from './stats';

/** One measured quantity of one variant in one case of a scenario. */
export interface ResultRow {
  readonly scenario: string;
  /** e.g. `8 conns`. */
  readonly case: string;
  readonly variant: string;
  readonly metric: string;
  readonly unit: string;
  /** One value per round. */
  readonly values: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** median / the raw baseline's median of the same scenario, case and metric. */
  ratio: number | undefined;
  /** Extra context (e.g. the target, or why it was skipped). */
  readonly note: string | undefined;
  readonly skipped: boolean;
}

/** Builds a row from per-round values. */
export function row(
  fields: { scenario: string; case: string; variant: string; metric: string; unit: string; note?: string },
  values: readonly number[],
): ResultRow {
  const { min, max } = range(values);
  return { ...fields, note: fields.note, values, median: median(values), min, max, ratio: undefined, skipped: false };
}

/** A row saying the variant or scenario did not run, and why. */
export function skippedRow(scenario: string, caseName: string, variant: string, why: string): ResultRow {
  return {
    scenario,
    case: caseName,
    variant,
    metric: '-',
    unit: '',
    values: [],
    median: Number.NaN,
    min: Number.NaN,
    max: Number.NaN,
    ratio: undefined,
    note: `skipped: ${why}`,
    skipped: true,
  };
}

/**
 * Fills `ratio` for every row of the `metrics` against the `raw` variant of the same scenario, case
 * and metric.
 */
export function addRatios(rows: ResultRow[], metrics: readonly string[], baseline = 'raw'): void {
  for (const r of rows) {
    if (r.skipped || r.variant === baseline || !metrics.includes(r.metric)) continue;
    const base = rows.find(
      (b) => !b.skipped && b.variant === baseline && b.scenario === r.scenario && b.case === r.case && b.metric === r.metric,
    );
    if (base !== undefined && base.median !== 0) r.ratio = r.median / base.median;
  }
  for (const r of rows) if (!r.skipped && r.variant === baseline && metrics.includes(r.metric)) r.ratio = 1;
}

/** Formats a number with 3 significant digits and a k/M suffix when large. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

/** The results table as text lines. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['scenario', 'case', 'variant', 'metric', 'median', 'min-max', 'vs raw', 'note'];
  const body = rows.map((r) =>
    r.skipped
      ? [r.scenario, r.case, r.variant, '-', '-', '-', '-', r.note ?? '']
      : [
          r.scenario,
          r.case,
          r.variant,
          `${r.metric} (${r.unit})`,
          fmt(r.median),
          `${fmt(r.min)}-${fmt(r.max)}`,
          r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
          r.note ?? '',
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
