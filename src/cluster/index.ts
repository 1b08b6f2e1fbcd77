// cluster: many media server nodes as one system on NATS JetStream — frames and events on subjects, the session
// registry in KV, talk-back forwarded to the owning node, and subscribe() for consumers. See docs/scale-out.md.
export { createNatsNode, type ClusterSessionSummary, type NatsNode, type NatsNodeDeps } from './nats-node.js';
export { resolveNatsOptions, defaultNodeId, type NatsOptions, type ResolvedNatsOptions } from './nats-options.js';
export type { PublisherStats, PublishCounts, PublishKind } from './nats-publisher.js';
export type { RegistryEntry, NodeHeartbeat } from './session-registry.js';
export { registryKeyOf } from './session-registry.js';
export type { ControlOp, ControlReply, PerformControl } from './remote-control.js';
export type { SessionEventMessage, TranscriptMessage, DtmfMessage } from './messages.js';
export { createSubjects, encodeSubjectToken, decodeSubjectToken, parseSubject, NatsHeader, SubjectKind, type Subjects } from './subjects.js';
export {
  subscribe,
  decodeMessage,
  type SubscribeOptions,
  type NatsSubscription,
  type SubscribedMessage,
  type SubscribedFrame,
  type SubscribedEvent,
  type SubscribedTranscript,
  type SubscribedDtmf,
} from './subscribe.js';
export { WavTap, type WavTapTrack } from './wav-tap.js';
export { ClusterError, ClusterErrorCode, isClusterError } from './cluster-error.js';
