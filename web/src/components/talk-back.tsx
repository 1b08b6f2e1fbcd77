// Talk-back controls: upload a WAV to play into the call (POST /api/sessions/:id/play), or barge in (stop-audio).

import { useState } from 'preact/hooks';

/** The talk-back controls of one live session. */
export function TalkBack(props: { sessionId: string }) {
  const [status, setStatus] = useState('');
  const base = `/api/sessions/${encodeURIComponent(props.sessionId)}`;

  async function post(path: string, body?: Blob): Promise<void> {
    try {
      const response = await fetch(`${base}/${path}`, {
        method: 'POST',
        headers: body === undefined ? {} : { 'content-type': 'audio/wav' },
        body,
      });
      const text = await response.text();
      setStatus(response.ok ? `${path}: ok` : `${path}: ${response.status} ${text.slice(0, 120)}`);
    } catch (err) {
      setStatus(`${path}: ${String(err)}`);
    }
  }

  function onFile(event: Event): void {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (file === undefined) return;
    setStatus(`playing ${file.name}…`);
    void post('play', file);
    input.value = '';
  }

  return (
    <div class="talk-back">
      <h4>Talk back</h4>
      <div class="row">
        <label class="button">
          Play a WAV…
          <input type="file" accept=".wav,audio/wav" onChange={onFile} hidden />
        </label>
        <button onClick={() => void post('stop-audio')}>Stop audio</button>
      </div>
      {status !== '' && <p class="muted small-text">{status}</p>}
    </div>
  );
}
