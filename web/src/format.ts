// Small display formatters shared by the dashboard's components.

/** A participant raw ID shortened for display: the phone number, or the tail of a long ID. */
export function shortParticipant(rawId: string | undefined, trackId: string): string {
  if (rawId === undefined) return trackId === 'mixed' ? 'Mixed audio' : trackId;
  if (rawId.startsWith('4:')) return rawId.slice(2);
  return rawId.length > 28 ? `${rawId.slice(0, 12)}…${rawId.slice(-10)}` : rawId;
}

/** Seconds as m:ss.t. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** A clock time (local) from an ISO string. */
export function clock(iso: string | undefined): string {
  if (iso === undefined) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour12: false });
}

/** An id shortened to its first 8 characters. */
export function shortId(id: string | undefined): string {
  return id === undefined ? '–' : id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** File size in kB / MB. */
export function bytes(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(0)} kB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}
