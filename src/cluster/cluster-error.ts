// The cluster's error class: an AcsAudioError (src/errors) with the ERR_CLUSTER_* codes (docs/errors.md).
import { AcsAudioError, errorGuard } from '../errors/index.js';

/** Stable error codes of the NATS cluster: the node, the registry and subscribe(). */
export const ClusterErrorCode = {
  /** NATS options out of range, a bad subject prefix or durable name. */
  BadOptions: 'ERR_CLUSTER_BAD_OPTIONS',
  /** No NATS server answered at the URL. */
  ConnectFailed: 'ERR_CLUSTER_CONNECT_FAILED',
  /** The NATS server runs without JetStream (start it with -js). */
  NoJetStream: 'ERR_CLUSTER_NO_JETSTREAM',
  /** subscribe(): the stream does not exist yet (no media server with NATS has run against this server). */
  NoStream: 'ERR_CLUSTER_NO_STREAM',
  /** subscribe(): the durable name already follows another session. */
  DurableInUse: 'ERR_CLUSTER_DURABLE_IN_USE',
  /** The session registry was used before the node opened it, or did not answer in time. */
  RegistryUnavailable: 'ERR_CLUSTER_REGISTRY_UNAVAILABLE',
} as const;
export type ClusterErrorCode = (typeof ClusterErrorCode)[keyof typeof ClusterErrorCode];

/** An error of the NATS cluster, with a stable code and the underlying cause. */
export class ClusterError extends AcsAudioError<ClusterErrorCode> {
  override name = 'ClusterError';

  constructor(code: ClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True for a ClusterError (optionally with the given code). */
export const isClusterError = errorGuard(ClusterError);
