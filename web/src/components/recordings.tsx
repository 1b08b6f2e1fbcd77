// Finished sessions from the recordings folder: participants, each track and the mix playable and downloadable.

import { useEffect, useState } from 'preact/hooks';
import type { RecordingEntry } from '../feed-types.js';
import { bytes, clock, duration, shortParticipant } from '../format.js';

const FILES = '/api/recordings/files/';

/** The recordings list; reloads when `refresh` changes and every few seconds. */
export function Recordings(props: { refresh: number }) {
  const [entries, setEntries] = useState<RecordingEntry[] | undefined>(undefined);
  const [error, setError] = useState('');

  useEffect(() => {
    let stopped = false;
    async function load(): Promise<void> {
      try {
        const response = await fetch('/api/recordings');
        if (!response.ok) throw new Error(`GET /api/recordings: ${response.status}`);
        const body = (await response.json()) as { recordings: RecordingEntry[] };
        if (!stopped) {
          setEntries(body.recordings.filter((r) => r.session === undefined || r.session.endedAt !== undefined));
          setError('');
        }
      } catch (err) {
        if (!stopped) setError(String(err));
      }
    }
    void load();
    // Files are finished shortly after the session ends: look again soon, then now and then.
    const soon = setTimeout(() => void load(), 700);
    const every = setInterval(() => void load(), 5000);
    return () => {
      stopped = true;
      clearTimeout(soon);
      clearInterval(every);
    };
  }, [props.refresh]);

  if (error !== '') return <p class="error">{error}</p>;
  if (entries === undefined) return <p class="muted">Loading…</p>;
  if (entries.length === 0) return <p class="muted">No finished recordings yet.</p>;
  return (
    <div class="recordings">
      {entries.map((r) => (
        <section class="card recording" key={r.dir} data-recording={r.session?.id ?? r.dir}>
          <header class="card-head">
            <h3>
              Session <code>{r.session?.id ?? r.dir}</code>
            </h3>
            {r.session !== undefined && <span class={`badge state-${r.session.state}`}>{r.session.state}</span>}
            <span class="muted">
              {clock(r.session?.startedAt)} → {clock(r.session?.endedAt)} · {r.session?.participants.length ?? 0} participant(s)
            </span>
            <span class="muted right">{r.dir}</span>
          </header>
          <table class="files">
            <tbody>
              {r.files
                .filter((f) => f.name.endsWith('.wav'))
                .map((f) => (
                  <tr key={f.path} data-file={f.name}>
                    <td class="file-who">{f.trackId === 'mix' ? 'Mix' : shortParticipant(f.participantRawId, f.trackId ?? f.name)}</td>
                    <td class="file-len">{duration(f.seconds)}</td>
                    <td class="file-audio">
                      <audio controls preload="metadata" src={FILES + f.path} data-seconds={f.seconds} />
                    </td>
                    <td class="file-dl">
                      <a href={`${FILES}${f.path}?download=1`} download>
                        {f.name}
                      </a>{' '}
                      <span class="muted">{bytes(f.bytes)}</span>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          {r.files.some((f) => !f.name.endsWith('.wav')) && (
            <p class="small-text">
              {r.files
                .filter((f) => !f.name.endsWith('.wav'))
                .map((f) => (
                  <a key={f.path} class="meta-link" href={FILES + f.path}>
                    {f.name}
                  </a>
                ))}
            </p>
          )}
        </section>
      ))}
    </div>
  );
}
