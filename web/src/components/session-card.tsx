// One live media session: state, counters, participants (meter, waveform, speaking, listen), transcript, DTMF,
// the call's callback events on a timeline, and talk-back controls.

import type { LiveCallEvent } from '../feed-types.js';
import { clock, shortId, shortParticipant } from '../format.js';
import type { LiveClient } from '../live-client.js';
import { isLive, type SessionView, type TrackView } from '../live-model.js';
import { TalkBack } from './talk-back.js';
import { Waveform } from './waveform.js';

const COLORS = ['#2f7dd1', '#d1602f', '#2e9e6b', '#9b4fd1', '#c2a11f'];

/** The level meter maps -60..0 dBFS onto the bar. */
function meterPercent(dbfs: number): number {
  return Math.max(0, Math.min(100, ((dbfs + 60) / 60) * 100));
}

function TrackRow(props: { sessionId: string; track: TrackView; index: number; version: number; now: number; live: LiveClient }) {
  const { track, live } = props;
  const speaking = track.speakingUntil > props.now;
  const listening = live.listening();
  const isListening = listening?.sessionId === props.sessionId && listening.trackId === track.trackId;
  const color = COLORS[props.index % COLORS.length];
  return (
    <div
      class={`track${speaking ? ' speaking' : ''}`}
      data-participant={track.participantRawId ?? track.trackId}
      data-track={track.trackId}
      data-level-dbfs={track.rmsDbfs}
      data-frames={track.frames}
    >
      <div class="track-head">
        <span class="speaking-dot" title={speaking ? 'speaking' : 'quiet'} />
        <span class="participant-name" title={track.participantRawId ?? track.trackId}>
          {shortParticipant(track.participantRawId, track.trackId)}
        </span>
        <span class="level-text">{track.rmsDbfs <= -100 ? '—' : `${track.rmsDbfs.toFixed(0)} dBFS`}</span>
        <button
          class={`small${isListening ? ' active' : ''}`}
          onClick={() => (isListening ? live.listen() : live.listen(props.sessionId, track.trackId))}
        >
          {isListening ? 'Stop listening' : 'Listen'}
        </button>
      </div>
      <div class="meter" title="RMS (bar) and peak (mark) over the last 100 ms, -60..0 dBFS">
        <div class="meter-fill" style={{ width: `${meterPercent(track.rmsDbfs)}%`, background: color }} />
        <div class="meter-peak" style={{ left: `${meterPercent(track.peakDbfs)}%` }} />
      </div>
      <Waveform track={track} version={props.version} color={color} />
      <div class="track-foot">{track.frames} frames</div>
    </div>
  );
}

function Counters(props: { view: SessionView }) {
  const c = props.view.summary.counts;
  const items: Array<[string, number, boolean]> = [
    ['frames', c.framesReceived, false],
    ['written', c.framesWritten, false],
    ['gaps filled', c.gapsFilled, c.gapsFilled > 0],
    ['late', c.late, c.late > 0],
    ['too late', c.tooLate, c.tooLate > 0],
    ['duplicates', c.duplicates, c.duplicates > 0],
    ['dropped', c.recordingDropped, c.recordingDropped > 0],
    ['rejected', c.rejected, c.rejected > 0],
    ['talk-back', c.talkBackFrames, false],
  ];
  return (
    <dl class="counters">
      {items.map(([label, value, warn]) => (
        <div class={warn ? 'warn' : ''} key={label} data-count={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The callback events of a call, oldest first, as marks on a line with their offsets. */
export function CallTimeline(props: { events: LiveCallEvent[] }) {
  if (props.events.length === 0) return <p class="muted small-text">No callback events for this call yet.</p>;
  const t0 = Date.parse(props.events[0].time);
  return (
    <ol class="timeline">
      {props.events.map((e, i) => {
        const failed = /Failed|Unsuccessful/i.test(e.type + e.detail);
        return (
          <li key={i} class={failed ? 'failed' : ''} title={e.detail}>
            <span class="t">+{((Date.parse(e.time) - t0) / 1000).toFixed(1)}s</span>
            <span class="event-type">{e.type}</span>
            {e.detail !== '' && <span class="event-detail">{e.detail}</span>}
          </li>
        );
      })}
    </ol>
  );
}

/** A session card. */
export function SessionCard(props: { view: SessionView; calls: LiveCallEvent[]; version: number; now: number; live: LiveClient }) {
  const { view } = props;
  const s = view.summary;
  const lines = [...view.finals, ...view.intermediates.values()];
  const events = s.callConnectionId === undefined ? [] : props.calls.filter((e) => e.callConnectionId === s.callConnectionId);
  const tracks = [...view.tracks.values()];
  return (
    <section class="card session" data-session={s.id} data-state={s.state}>
      <header class="card-head">
        <h3>
          Session <code>{s.id}</code>
        </h3>
        <span class={`badge state-${s.state}`}>{s.state}</span>
        <span class="muted">
          {s.channel ?? '?'} · {s.sampleRate === undefined ? '?' : `${s.sampleRate / 1000} kHz`} · since {clock(s.startedAt)}
        </span>
        {s.callConnectionId !== undefined && (
          <span class="muted right" title={s.callConnectionId}>
            call <code>{shortId(s.callConnectionId)}</code>
          </span>
        )}
      </header>
      <Counters view={view} />
      <div class="session-body">
        <div class="tracks">
          {tracks.length === 0 && <p class="muted">Waiting for audio…</p>}
          {tracks.map((t, i) => (
            <TrackRow key={t.trackId} sessionId={s.id} track={t} index={i} version={props.version} now={props.now} live={props.live} />
          ))}
        </div>
        <div class="side">
          <h4>Transcript</h4>
          <ul class="transcript">
            {lines.length === 0 && <li class="muted">No transcript yet.</li>}
            {lines.map((l, i) => (
              <li key={i} class={`transcript-line ${l.final ? 'final' : 'intermediate'}`}>
                <span class="who">{l.speaker ?? shortParticipant(l.participantRawId, '?')}</span> {l.text}
              </li>
            ))}
          </ul>
          <h4>DTMF</h4>
          <p class="dtmf" data-dtmf={view.dtmf}>
            {view.dtmf === '' ? <span class="muted">none</span> : view.dtmf}
          </p>
          <h4>Call events</h4>
          <CallTimeline events={events} />
          {isLive(s) && <TalkBack sessionId={s.id} />}
        </div>
      </div>
    </section>
  );
}
