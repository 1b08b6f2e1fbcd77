// DTMF tone spellings (docs/protocol.md §1, DtmfData): ACS's spelling of *, # and A-D is undocumented, so the
// characters and the common words are all accepted and normalized to one character.

const WORDS: Readonly<Record<string, string>> = {
  star: '*',
  asterisk: '*',
  pound: '#',
  hash: '#',
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

/** `0`-`9`, `*`, `#`, `A`-`D` (any case, surrounding spaces ignored) or a word such as `star`/`pound` → the tone; else undefined. */
export function normalizeDtmfTone(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 1) {
    const upper = trimmed.toUpperCase();
    return /^[0-9*#A-D]$/.test(upper) ? upper : undefined;
  }
  const word = trimmed.toLowerCase();
  return Object.hasOwn(WORDS, word) ? WORDS[word] : undefined;
}
