// ISO 8601 timestamps as ACS writes them (docs/protocol.md §1, AudioData): parsed by hand, because Date.parse
// reads a zone-less date-time as local time and accepts non-ISO text.

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Reads `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM|±HHMM]` into epoch milliseconds, keeping the sub-millisecond
 * fraction. A missing zone means UTC (ACS timestamps are UTC). `T` may be `t` or a space. Returns undefined for
 * anything else, including impossible dates (`2023-02-30`) and out-of-range fields.
 */
export function parseTimestampMs(text: string): number | undefined {
  if (typeof text !== 'string' || text.length < 16 || text.length > 64) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const sep = text.charCodeAt(10);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return undefined;
  }
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58) return undefined;
  if (sep !== 84 && sep !== 116 && sep !== 32) return undefined; // T, t, space
  const maxDay = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > maxDay) return undefined;
  let pos = 16;
  let second = 0;
  let fractionMs = 0;
  if (text.charCodeAt(pos) === 58) {
    second = digits(text, pos + 1, 2);
    if (second < 0 || second > 59) return undefined;
    pos += 3;
    const mark = text.charCodeAt(pos);
    if (mark === 46 || mark === 44) {
      const start = pos + 1;
      pos = start;
      while (pos < text.length && text.charCodeAt(pos) >= 48 && text.charCodeAt(pos) <= 57) pos++;
      if (pos === start) return undefined;
      fractionMs = fractionToMs(text, start, pos);
    }
  }
  const offsetMinutes = readZone(text, pos);
  if (offsetMinutes === undefined) return undefined;
  const minutes = daysFromCivil(year, month, day) * 1440 + hour * 60 + minute - offsetMinutes;
  return minutes * 60_000 + second * 1000 + fractionMs;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; Date.UTC maps years 0-99 to 19xx). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Fraction-of-second digits as milliseconds: whole milliseconds exactly, finer digits as a decimal part. */
function fractionToMs(text: string, start: number, end: number): number {
  let whole = 0;
  for (let i = 0; i < 3; i++) whole = whole * 10 + (start + i < end ? text.charCodeAt(start + i) - 48 : 0);
  return end - start > 3 ? whole + Number(`0.${text.slice(start + 3, end)}`) : whole;
}

/** The zone designator at `pos` as minutes east of UTC; undefined when malformed or not at the end. */
function readZone(text: string, pos: number): number | undefined {
  const rest = text.length - pos;
  if (rest === 0) return 0;
  const mark = text.charCodeAt(pos);
  if (mark === 90 || mark === 122) return rest === 1 ? 0 : undefined; // Z, z
  if (mark !== 43 && mark !== 45) return undefined; // +, -
  const hours = digits(text, pos + 1, 2);
  let minutes: number;
  if (rest === 6 && text.charCodeAt(pos + 3) === 58) minutes = digits(text, pos + 4, 2);
  else if (rest === 5) minutes = digits(text, pos + 3, 2);
  else if (rest === 3) minutes = 0;
  else return undefined;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  return mark === 45 ? -total : total;
}

/** Formats epoch milliseconds as ACS does: ISO 8601 UTC with milliseconds and `Z` (`2022-10-03T19:16:12.925Z`). */
export function formatTimestamp(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}
