/** Summaries of measured round-trip times (pure). */
export interface RttSummary {
  min: number;
  mean: number;
  p50: number;
  max: number;
}

export function summarize(values: number[]): RttSummary | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    min: round(sorted[0]),
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
    p50: round(sorted[Math.floor((sorted.length - 1) / 2)]),
    max: round(sorted[sorted.length - 1]),
  };
}
