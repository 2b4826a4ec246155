import { CliError } from './errors.js';

/** A point in time as typed: whole seconds since the epoch, or an ISO 8601 date. Milliseconds since the epoch. */
export function parseTime(value: string, option: string): number {
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new CliError('ERR_USAGE', `${option} must be seconds since the epoch or an ISO 8601 date (2026-01-31T12:00:00Z)`);
  return ms;
}

/** An ISO date for a NumericDate claim, or `undefined` when the claim is not a usable number. */
export function isoOf(seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** "42 s", "3 min", "5 h", "12 days": rounded down, in the largest unit that still reads well. */
export function duration(seconds: number): string {
  const s = Math.floor(Math.abs(seconds));
  if (s < 120) return `${s} s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} days`;
}

/** "expires in 42 s", "expired 3 min ago". */
export function expiryPhrase(exp: number, nowSeconds: number): string {
  return exp > nowSeconds ? `expires in ${duration(exp - nowSeconds)}` : `expired ${duration(nowSeconds - exp)} ago`;
}
