// Designs the polyphase windowed-sinc (Kaiser) low-pass filter the resampler convolves with.
// Spec: flat to 0.9 of the lower rate's Nyquist, at least 90 dB down from that Nyquist on (no aliasing, no images).

/** Stopband attenuation in dB: below 16-bit quantisation noise of speech. */
const STOPBAND_DB = 90;
/** Passband edge and stopband edge, as fractions of the lower rate's Nyquist frequency. */
const PASSBAND_EDGE = 0.9;
const STOPBAND_EDGE = 1.0;
/** Exact phases up to this many (all the usual rate pairs need at most 640); finer ratios interpolate between rows. */
const MAX_PHASES = 1024;

/** A polyphase filter for converting `fromRate` to `toRate` = fromRate × up / down. */
export interface PolyphaseFilter {
  /** Interpolation factor L (toRate / gcd). */
  readonly up: number;
  /** Decimation factor M (fromRate / gcd). */
  readonly down: number;
  /** Rows in the table, minus one (the last row is phase 1.0, kept for interpolation). */
  readonly phases: number;
  /** True when there is one row per phase (phases === up), so no interpolation is needed. */
  readonly exact: boolean;
  /** Half the taps: an output at input time t reads inputs floor(t)-halfTaps+1 .. floor(t)+halfTaps. */
  readonly halfTaps: number;
  /** Taps per row (2 × halfTaps). */
  readonly taps: number;
  /** (phases + 1) rows of `taps` coefficients; row r is for fractional position r / phases. Each row sums to 1. */
  readonly table: Float64Array;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the β used here). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Builds the filter for one rate pair (a few milliseconds; build it once per stream). */
export function designPolyphaseFilter(fromRate: number, toRate: number): PolyphaseFilter {
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const lowerRate = Math.min(fromRate, toRate);
  // Cutoff in the middle of the transition band, relative to the input's Nyquist frequency.
  const cutoff = (((PASSBAND_EDGE + STOPBAND_EDGE) / 2) * lowerRate) / fromRate;
  // Kaiser's estimates: window length for the transition width, β for the attenuation.
  const transition = (2 * Math.PI * ((STOPBAND_EDGE - PASSBAND_EDGE) / 2) * lowerRate) / fromRate;
  const length = (STOPBAND_DB - 7.95) / (2.285 * transition);
  const halfTaps = Math.ceil(length / 2);
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const exact = up <= MAX_PHASES;
  const phases = exact ? up : MAX_PHASES;
  const taps = 2 * halfTaps;
  const table = new Float64Array((phases + 1) * taps);
  const i0Beta = besselI0(beta);
  for (let r = 0; r <= phases; r++) {
    const frac = r / phases;
    const row = r * taps;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      // Distance from the output instant to input tap j, in input samples.
      const d = frac + halfTaps - 1 - j;
      const x = d / halfTaps;
      const window = x * x >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta;
      const arg = Math.PI * cutoff * d;
      const sinc = arg === 0 ? 1 : Math.sin(arg) / arg;
      const h = cutoff * sinc * window;
      table[row + j] = h;
      sum += h;
    }
    for (let j = 0; j < taps; j++) table[row + j] /= sum;
  }
  return { up, down, phases, exact, halfTaps, taps, table };
}
