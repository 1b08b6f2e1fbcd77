// Opens a WebSocket to the app as ACS does (docs/protocol.md §3): a fresh bearer token per connection and the call's
// headers. A refused upgrade is reported with its HTTP status, so the control plane can say why streaming failed.
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { EngineErrorCode, MediaEngineError } from './engine-error.js';

/** What a connection needs: where, a token source, and the call it belongs to. */
export interface ConnectRequest {
  url: string;
  token: () => Promise<string>;
  callConnectionId: string;
  correlationId: string;
  handshakeTimeoutMs: number;
  /** Called with the TCP socket under the WebSocket when the upgrade succeeds (to cork a frame's messages). */
  onTransport?: (transport: Socket) => void;
}

/** Opens the socket; rejects with a MediaEngineError (CONNECT_FAILED, `status` set when the server answered HTTP). */
export async function connectSocket(request: ConnectRequest): Promise<WebSocket> {
  let token: string;
  try {
    token = await request.token();
  } catch (cause) {
    throw new MediaEngineError(
      EngineErrorCode.ConnectFailed,
      `could not sign a token for ${request.url}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket = new WebSocket(request.url, {
      headers: {
        Authorization: `Bearer ${token}`,
        'x-ms-call-connection-id': request.callConnectionId,
        'x-ms-call-correlation-id': request.correlationId,
      },
      handshakeTimeout: request.handshakeTimeoutMs,
      perMessageDeflate: false,
    });
    function fail(error: MediaEngineError): void {
      if (settled) return;
      settled = true;
      reject(error);
    }
    if (request.onTransport !== undefined) {
      const onTransport = request.onTransport;
      socket.once('upgrade', (response) => onTransport(response.socket));
    }
    socket.once('open', () => {
      settled = true;
      socket.off('error', onError);
      resolve(socket);
    });
    socket.once('unexpected-response', (req, res) => {
      const status = res.statusCode ?? 0;
      fail(
        new MediaEngineError(
          EngineErrorCode.ConnectFailed,
          `WebSocket upgrade to ${request.url} refused: HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd(),
          { status },
        ),
      );
      res.resume();
      req.destroy();
    });
    function onError(cause: Error): void {
      fail(
        new MediaEngineError(
          EngineErrorCode.ConnectFailed,
          `could not connect to ${request.url}: ${cause.message}`,
          { cause },
        ),
      );
    }
    // Kept until open: after a refusal ws may still report the aborted handshake, which must not go unhandled.
    socket.on('error', onError);
  });
}
