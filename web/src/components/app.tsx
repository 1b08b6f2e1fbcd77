// The dashboard page: live sessions first, then calls known only from their callback events, ended sessions,
// and the recordings.

import { useEffect, useState } from 'preact/hooks';
import type { LiveCallEvent } from '../feed-types.js';
import { clock, shortId } from '../format.js';
import type { LiveClient } from '../live-client.js';
import { isLive, type LiveModel } from '../live-model.js';
import { Recordings } from './recordings.js';
import { CallTimeline, SessionCard } from './session-card.js';

function useModelVersion(model: LiveModel): number {
  const [version, setVersion] = useState(model.version);
  useEffect(() => model.subscribe(() => setVersion(model.version)), [model]);
  return version;
}

/** A call's state as its callback events tell it (docs/protocol.md §5): failed, ended, streaming or connecting. */
function CallState(props: { events: LiveCallEvent[] }) {
  const types = props.events.map((e) => e.type);
  const state = types.some((t) => /Failed/.test(t))
    ? 'failed'
    : types.includes('CallDisconnected')
      ? 'ended'
      : types.includes('MediaStreamingStarted')
        ? 'streaming'
        : 'connecting';
  return (
    <span class={`badge state-${state}`} data-call-state={state}>
      {state}
    </span>
  );
}

/** The whole page. */
export function App(props: { model: LiveModel; live: LiveClient }) {
  const { model } = props;
  const version = useModelVersion(model);
  const now = Date.now();
  const sessions = [...model.sessions.values()];
  const live = sessions.filter((s) => isLive(s.summary));
  const ended = sessions.filter((s) => !isLive(s.summary)).slice(-8).reverse();
  const known = new Set(sessions.map((s) => s.summary.callConnectionId));
  const orphanCalls = [...new Set(model.calls.map((e) => e.callConnectionId))].filter((id) => id !== undefined && !known.has(id));

  return (
    <div class="page">
      <header class="top">
        <h1>acs-audio</h1>
        <span class="muted">live dashboard</span>
        <span class={`conn ${model.connected ? 'on' : 'off'}`} data-connected={model.connected}>
          {model.connected ? 'live feed connected' : 'connecting…'}
        </span>
        <span class="muted right">
          {live.length} live · {ended.length} ended
        </span>
      </header>

      <h2>Live sessions</h2>
      {live.length === 0 && <p class="muted empty">No call is streaming. Start one (e.g. with the emulator) and it appears here.</p>}
      {live.map((s) => (
        <SessionCard key={s.summary.id} view={s} calls={model.calls} version={version} now={now} live={props.live} />
      ))}

      {orphanCalls.length > 0 && (
        <>
          <h2>Calls without media</h2>
          {orphanCalls.map((id) => (
            <section class="card" key={id} data-call={id}>
              <header class="card-head">
                <h3>
                  Call <code>{shortId(id)}</code>
                </h3>
                <CallState events={model.calls.filter((e) => e.callConnectionId === id)} />
              </header>
              <CallTimeline events={model.calls.filter((e) => e.callConnectionId === id)} />
            </section>
          ))}
        </>
      )}

      {ended.length > 0 && (
        <>
          <h2>Ended sessions</h2>
          <table class="ended">
            <tbody>
              {ended.map((s) => (
                <tr key={s.summary.id} data-session={s.summary.id} data-state={s.summary.state}>
                  <td>
                    <code>{s.summary.id}</code>
                  </td>
                  <td>
                    <span class={`badge state-${s.summary.state}`}>{s.summary.state}</span>
                  </td>
                  <td class="muted">
                    {clock(s.summary.startedAt)} → {clock(s.summary.endedAt)}
                  </td>
                  <td class="muted">{s.summary.counts.framesReceived} frames</td>
                  <td class="muted">{s.finals.length} transcript lines</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2>Recordings</h2>
      <Recordings refresh={model.endedSignal} />
    </div>
  );
}
