// Test signals and measurements for the audio tests: sine generators, a Goertzel tone meter and a
// zero-crossing frequency estimate.
import { fileURLToPath } from 'node:url';

/** The committed fixture WAVs (see test/fixtures/audio/README.md). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/audio/', import.meta.url));

/** A sine of `amplitude` (fraction of full scale) at `freq` Hz, `seconds` long, as mono PCM16. */
export function sine(freq: number, rate: number, seconds: number, amplitude = 0.5): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** Peak amplitude of the `freq` component, in dB relative to full scale (Goertzel). */
export function toneDbfs(samples: Int16Array, freq: number, rate: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return 20 * Math.log10((2 * Math.sqrt(power)) / samples.length / 32768);
}

/** Frequency from upward zero crossings (for a clean tone). */
export function zeroCrossingHz(samples: Int16Array, rate: number): number {
  let first = -1;
  let last = -1;
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i - 1] < 0 && samples[i] >= 0) {
      // Interpolate the crossing between the two samples.
      const at = i - 1 + -samples[i - 1] / (samples[i] - samples[i - 1]);
      if (first < 0) first = at;
      else crossings++;
      last = at;
    }
  }
  return (crossings * rate) / (last - first);
}

/** Distortion plus noise relative to the least-squares-fitted `freq` sine, in dB (lower is cleaner). */
export function thdPlusNoiseDb(samples: Int16Array, freq: number, rate: number): number {
  // Normal equations for samples ≈ a·cos + b·sin (the window need not hold whole periods).
  let cc = 0;
  let ss = 0;
  let cs = 0;
  let xc = 0;
  let xs = 0;
  for (let i = 0; i < samples.length; i++) {
    const phase = (2 * Math.PI * freq * i) / rate;
    const c = Math.cos(phase);
    const s = Math.sin(phase);
    cc += c * c;
    ss += s * s;
    cs += c * s;
    xc += samples[i] * c;
    xs += samples[i] * s;
  }
  const det = cc * ss - cs * cs;
  const a = (xc * ss - xs * cs) / det;
  const b = (xs * cc - xc * cs) / det;
  let error = 0;
  let power = 0;
  for (let i = 0; i < samples.length; i++) {
    const phase = (2 * Math.PI * freq * i) / rate;
    const fit = a * Math.cos(phase) + b * Math.sin(phase);
    error += (samples[i] - fit) ** 2;
    power += fit * fit;
  }
  return 10 * Math.log10(error / power);
}

/** The middle of a signal, leaving out `fraction` at each end (filter start-up and tail). */
export function middle(samples: Int16Array, fraction = 0.1): Int16Array {
  const cut = Math.floor(samples.length * fraction);
  return samples.subarray(cut, samples.length - cut);
}
