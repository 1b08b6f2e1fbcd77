// A scrolling waveform of one track's last 10 seconds: each 20 ms frame's level, mirrored around zero (uPlot).

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { HISTORY_FRAMES, type TrackView } from '../live-model.js';

const HEIGHT = 48;
/** The display maps -60..0 dBFS to 0..1 so quiet speech still shows. */
const RANGE_DB = 60;

const xs = Array.from({ length: HISTORY_FRAMES }, (_, i) => (i - HISTORY_FRAMES + 1) / 50);

function displayed(amplitude: number): number {
  if (amplitude <= 0) return 0;
  const db = 20 * Math.log10(amplitude);
  return Math.max(0, Math.min(1, (db + RANGE_DB) / RANGE_DB));
}

function series(track: TrackView): [number[], number[], number[]] {
  const up = new Array<number>(HISTORY_FRAMES);
  const down = new Array<number>(HISTORY_FRAMES);
  for (let i = 0; i < HISTORY_FRAMES; i++) {
    const v = displayed(track.history[(track.historyWrite + i) % HISTORY_FRAMES]);
    up[i] = v;
    down[i] = -v;
  }
  return [xs, up, down];
}

/** The waveform; redraws when `version` changes. */
export function Waveform(props: { track: TrackView; version: number; color: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = host.current;
    if (el === null) return;
    const line = { stroke: props.color, fill: `${props.color}55`, width: 1, fillTo: 0, points: { show: false } };
    const u = new uPlot(
      {
        width: Math.max(100, el.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false }, y: { range: [-1, 1] } },
        series: [{}, line, line],
      },
      series(props.track),
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(100, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [props.track, props.color]);

  useEffect(() => {
    plot.current?.setData(series(props.track));
  }, [props.version, props.track]);

  return <div class="waveform" ref={host} />;
}
