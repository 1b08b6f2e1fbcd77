// Transcription offsets and durations: ticks of 100 ns, read losslessly from the number's text
// (docs/protocol.md §1, TranscriptionData). 2.5e18 and 2500000000000000123 both survive exactly.

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** More digits than any tick count needs (int64 has 19); bounds the work an exponent like 1e999999 can cause. */
const MAX_DIGITS = 40;

/** The integer a JSON number's text denotes, as bigint; undefined when it has a fraction or is absurdly large. */
export function ticksFromNumberText(text: string): bigint | undefined {
  const match = NUMBER.exec(text);
  if (match === null) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - fraction.length;
  let digits = (whole + fraction).replace(/^0+(?=\d)/, '');
  if (exponent < 0) {
    const cut = digits.length + exponent;
    const dropped = cut <= 0 ? digits : digits.slice(cut);
    if (!/^0*$/.test(dropped)) return undefined;
    digits = cut <= 0 ? '0' : digits.slice(0, cut);
  } else {
    if (digits === '0') return 0n;
    if (digits.length + exponent > MAX_DIGITS) return undefined;
    digits += '0'.repeat(exponent);
  }
  if (digits.length > MAX_DIGITS) return undefined;
  const value = BigInt(digits);
  return sign === '-' ? -value : value;
}

