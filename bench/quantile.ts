/** The `q` quantile of `values` (nearest rank), rounded to 3 decimals; NaN for none. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
}

/** `x` rounded to 3 decimals. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
