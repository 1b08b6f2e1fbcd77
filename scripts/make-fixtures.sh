#!/usr/bin/env bash
# Regenerates the bundled speech fixtures (fixtures/speech/<name>.wav + <name>.json) with espeak-ng and sox,
# byte for byte (sox runs without dither).
# Not needed at test time: the WAVs and transcripts are committed. Needs espeak-ng (libespeak-ng.so.1), sox, python3.
#
# Word timings are espeak-ng's own: the synthesizer reports a WORD event with the audio position of each word
# (libespeak-ng's synth callback, read through python's ctypes). Each word's end is measured from the audio: the last
# sample above -40 dBFS before the next word starts. Offsets and durations are written in ticks of 100 ns, as ACS
# transcription does (docs/protocol.md §1, TranscriptionData).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/fixtures/speech"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# name | espeak-ng voice | words per minute | text
fixtures=(
  "en-us-male|en-us|165|Hi, I'm calling about my order from last week."
  "en-us-female|en-us+f2|165|Hello, I would like to change my delivery address."
  "en-gb-male|en-gb-x-rp+m3|165|Thanks for calling. How can I help you today?"
  "en-gb-female|en-gb-x-rp+f4|165|Sure, let me look that up for you right now."
)

for entry in "${fixtures[@]}"; do
  IFS='|' read -r name voice wpm text <<<"$entry"
  python3 - "$voice" "$wpm" "$text" "$work/$name.raw" "$work/$name.timing.json" <<'PY'
import ctypes, json, sys

voice, wpm, text, raw_path, timing_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
lib = ctypes.CDLL('libespeak-ng.so.1')

class Id(ctypes.Union):
    _fields_ = [('number', ctypes.c_int), ('name', ctypes.c_char_p), ('string', ctypes.c_char * 8)]

class Event(ctypes.Structure):
    _fields_ = [('type', ctypes.c_int), ('unique_identifier', ctypes.c_uint), ('text_position', ctypes.c_int),
                ('length', ctypes.c_int), ('audio_position', ctypes.c_int), ('sample', ctypes.c_int),
                ('user_data', ctypes.c_void_p), ('id', Id)]

SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))
EVENT_LIST_TERMINATED, EVENT_WORD = 0, 1
AUDIO_OUTPUT_SYNCHRONOUS, RATE_PARAMETER = 2, 1

rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0)
if lib.espeak_SetVoiceByName(voice.encode()) != 0:
    sys.exit(f'make-fixtures: espeak-ng has no voice {voice!r}')
lib.espeak_SetParameter(RATE_PARAMETER, wpm, 0)

pcm = bytearray()
words = []  # (text, start sample)

@SynthCallback
def on_synth(wav, count, events):
    if count > 0:
        pcm.extend(ctypes.string_at(wav, count * 2))
    i = 0
    while events[i].type != EVENT_LIST_TERMINATED:
        e = events[i]
        if e.type == EVENT_WORD:
            # The whole whitespace-delimited token: espeak-ng reports "I'm" as a one-letter word.
            words.append((text[e.text_position - 1:].split()[0], e.sample))
        i += 1
    return 0

lib.espeak_SetSynthCallback(on_synth)
encoded = text.encode()
lib.espeak_Synth(encoded, len(encoded) + 1, 0, 0, 0, 0, None, None)
lib.espeak_Synchronize()

samples = memoryview(bytes(pcm)).cast('h')
threshold = int(32768 * 10 ** (-40 / 20))

def last_loud(start, end):
    for i in range(end - 1, start - 1, -1):
        if abs(samples[i]) > threshold:
            return i + 1
    return start

def first_loud(start, end):
    for i in range(start, end):
        if abs(samples[i]) > threshold:
            return i
    return start

timed = []
for index, (word, start) in enumerate(words):
    end_limit = words[index + 1][1] if index + 1 < len(words) else len(samples)
    begin = first_loud(start, end_limit)
    end = last_loud(begin, end_limit)
    clean = ''.join(ch for ch in word.lower() if ch.isalnum() or ch == "'")
    timed.append({'text': clean, 'startSeconds': begin / rate, 'endSeconds': end / rate})

with open(raw_path, 'wb') as f:
    f.write(pcm)
with open(timing_path, 'w') as f:
    json.dump({'rate': rate, 'words': timed}, f)
PY
  rate="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rate"])' "$work/$name.timing.json")"
  # Resample to 16 kHz mono PCM16 and normalize the peak to -3 dBFS; timings are in seconds, so they carry over.
  sox -q -D -t raw -r "$rate" -e signed-integer -b 16 -c 1 "$work/$name.raw" \
    -r 16000 -e signed-integer -b 16 -c 1 "$out/$name.wav" gain -n -3
  seconds="$(soxi -D "$out/$name.wav")"
  python3 - "$name" "$voice" "$text" "$seconds" "$work/$name.timing.json" "$out/$name.json" <<'PY'
import json, sys
name, voice, text, seconds, timing_path, out_path = sys.argv[1:7]
timing = json.load(open(timing_path))
ticks = lambda s: round(s * 10_000_000)
# Both ends rounded, then subtracted: a word never overlaps the next one by a rounding tick.
words = [{'text': w['text'], 'offset': ticks(w['startSeconds']),
          'duration': ticks(w['endSeconds']) - ticks(w['startSeconds'])}
         for w in timing['words']]
transcript = {
    'name': name,
    'text': text,
    'locale': 'en-US' if voice.startswith('en-us') else 'en-GB',
    'voice': f'espeak-ng {voice}',
    'sampleRate': 16000,
    'durationTicks': ticks(float(seconds)),
    'words': words,
}
with open(out_path, 'w') as f:
    json.dump(transcript, f, indent=2)
    f.write('\n')
PY
  echo "make-fixtures: $name ($voice) ${seconds}s"
done
