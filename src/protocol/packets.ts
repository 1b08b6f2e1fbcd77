// Typed ACS media-streaming packets, keeping the wire's own field spelling (docs/protocol.md §1–2).
// These are the contract between the parser, the serializers, the media layer and the emulator.

/** Kinds ACS sends to the customer's WebSocket (docs/protocol.md §1). */
export const InboundKind = {
  AudioMetadata: 'AudioMetadata',
  AudioData: 'AudioData',
  DtmfData: 'DtmfData',
  TranscriptionMetadata: 'TranscriptionMetadata',
  TranscriptionData: 'TranscriptionData',
} as const;
export type InboundKind = (typeof InboundKind)[keyof typeof InboundKind];

/** PCM sample rates ACS streams: `pcm16KMono` and `pcm24KMono`. */
export const SAMPLE_RATES = [16000, 24000] as const;
export type SampleRate = (typeof SAMPLE_RATES)[number];

/** First packet on a media socket: the audio format and the call's media streaming subscription. */
export interface AudioMetadataPacket {
  kind: 'AudioMetadata';
  /** Equals the call's `mediaStreamingSubscription.id`; links this socket to a call. */
  subscriptionId: string;
  encoding: string;
  sampleRate: SampleRate;
  channels: number;
  /** Frame size in bytes (640 at 16 kHz, 960 at 24 kHz). */
  length: number;
}

/** One 20 ms frame of 16-bit little-endian mono PCM. */
export interface AudioDataPacket {
  kind: 'AudioData';
  /** The wire's ISO 8601 timestamp, verbatim. */
  timestamp: string;
  /** The timestamp as epoch milliseconds (fraction kept). */
  timestampMs: number;
  /** Who spoke (unmixed); undefined when the wire omits it. Kept verbatim: never a file name. */
  participantRawID: string | undefined;
  /** True when ACS marked the frame as silence; false when absent. */
  silent: boolean;
  /** Decoded PCM16LE samples. A view over freshly decoded memory owned by this packet. */
  samples: Int16Array;
}

/** A DTMF tone pressed by a participant (`enableDtmfTones`). */
export interface DtmfDataPacket {
  kind: 'DtmfData';
  /** Normalized tone: `0`-`9`, `*`, `#`, `A`-`D`. */
  tone: string;
  /** The wire's `data` value, verbatim (may be a word such as `star`). */
  data: string;
  timestamp: string | undefined;
  timestampMs: number | undefined;
  participantRawID: string | undefined;
}

/** First packet on a transcription socket. */
export interface TranscriptionMetadataPacket {
  kind: 'TranscriptionMetadata';
  subscriptionId: string;
  locale: string;
  callConnectionId: string | undefined;
  correlationId: string | undefined;
  speechRecognitionModelEndpointId: string | undefined;
  /** Fields this version does not know, kept as they came. */
  extra: Record<string, unknown>;
}

/** One recognized word; offsets and durations are ticks of 100 ns, lossless. */
export interface TranscriptionWord {
  text: string;
  offsetTicks: bigint;
  durationTicks: bigint | undefined;
}

export const ResultStatus = { Final: 'Final', Intermediate: 'Intermediate' } as const;
export type ResultStatus = (typeof ResultStatus)[keyof typeof ResultStatus];

/** A transcription result, intermediate or final. */
export interface TranscriptionDataPacket {
  kind: 'TranscriptionData';
  text: string;
  format: string;
  confidence: number | undefined;
  offsetTicks: bigint;
  durationTicks: bigint | undefined;
  words: TranscriptionWord[];
  participantRawID: string | undefined;
  resultStatus: ResultStatus;
  extra: Record<string, unknown>;
}

/** Every packet kind ACS sends inbound. `switch (packet.kind)` over it is exhaustive. */
export type InboundPacket =
  | AudioMetadataPacket
  | AudioDataPacket
  | DtmfDataPacket
  | TranscriptionMetadataPacket
  | TranscriptionDataPacket;

/** Why a packet was rejected; stable codes used in metrics and logs. */
export const RejectReason = {
  NotText: 'not_text',
  InvalidUtf8: 'invalid_utf8',
  InvalidJson: 'invalid_json',
  NotObject: 'not_object',
  MissingKind: 'missing_kind',
  UnknownKind: 'unknown_kind',
  MissingBody: 'missing_body',
  InvalidField: 'invalid_field',
  BadBase64: 'bad_base64',
  BadLength: 'bad_length',
  BadTimestamp: 'bad_timestamp',
  BadSampleRate: 'bad_sample_rate',
  TooLarge: 'too_large',
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/** A packet that could not be accepted: what went wrong, and where, in words a person can act on. */
export interface PacketRejection {
  ok: false;
  reason: RejectReason;
  detail: string;
  /** The `kind` the packet claimed, when it had one (for unknown kinds: the new kind's name). */
  kind?: string;
}

/** What `parsePacket` returns: never throws. */
export type ParseResult = { ok: true; packet: InboundPacket } | PacketRejection;

/** Packets a server sends back into the call (bidirectional streaming, docs/protocol.md §2). */
export type OutboundPacket =
  | { kind: 'AudioData'; samples: Int16Array }
  | { kind: 'StopAudio' };

/** What `parseOutboundPacket` returns (the emulator reading what a server sends back): never throws. */
export type OutboundParseResult = { ok: true; packet: OutboundPacket } | PacketRejection;
