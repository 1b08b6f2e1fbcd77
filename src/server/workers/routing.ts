// How the primary of `serve --workers` chooses a worker for a connection: it reads the request head (up to the blank
// line) of a paused socket without consuming more than it must hand over, and a /ws upgrade's
// x-ms-call-connection-id header hashes to one worker slot, so every socket of a call (its reconnects, its
// transcription socket) lands where its session is.
import type { Socket } from 'node:net';

/** The start of a connection, as read by the primary: what it routes by, and the bytes to hand over with it. */
export interface RequestHead {
  /** Every byte read so far (the head and whatever followed in the same reads). */
  bytes: Buffer;
  /** The x-ms-call-connection-id header of a WebSocket upgrade, when it has one. */
  callConnectionId: string | undefined;
}

/** Largest request head the primary reads (Node's own default header limit is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** A client that sends no whole head in this long is dropped (a slow-loris guard, like the HTTP server's own). */
const HEAD_TIMEOUT_MS = 30_000;
const END_OF_HEAD = Buffer.from('\r\n\r\n');
const CALL_HEADER = /^x-ms-call-connection-id:[ \t]*(.*?)[ \t]*$/im;
const UPGRADE_HEADER = /^upgrade:[ \t]*websocket[ \t]*$/im;

/** The same slot for the same call, spread evenly over `slots` (FNV-1a of the id). */
export function slotFor(callConnectionId: string, slots: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < callConnectionId.length; i++) {
    hash ^= callConnectionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % slots;
}

/** Parses what a head says about routing. */
export function parseRequestHead(bytes: Buffer): RequestHead {
  const end = bytes.indexOf(END_OF_HEAD);
  const text = bytes.subarray(0, end < 0 ? bytes.length : end).toString('latin1');
  const isUpgrade = UPGRADE_HEADER.test(text);
  const call = isUpgrade ? CALL_HEADER.exec(text)?.[1] : undefined;
  return { bytes, callConnectionId: call === undefined || call === '' ? undefined : call };
}

/** Stops the socket's handle from reading, so nothing more is read (and lost) in this process before the handle is
 *  sent to a worker: pause() alone only stops 'data' events. `_handle.readStop` is Node's stream handle call. */
function stopReading(socket: Socket): void {
  const handle = (socket as unknown as { _handle?: { readStop?: () => number; reading?: boolean } })._handle;
  if (handle?.readStop) {
    handle.reading = false;
    handle.readStop();
  }
}

function destroySocket(this: Socket): void {
  this.destroy();
}

/** Reads a paused socket up to the end of its request head; undefined when the client left, sent too much or too
 *  slowly (the socket is then answered or destroyed). Afterwards the socket is paused and reads nothing. */
export function readRequestHead(socket: Socket): Promise<RequestHead | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (head: RequestHead | undefined) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      socket.pause();
      // From here the socket is the worker's; an error on this process's copy only ends the copy.
      socket.on('error', destroySocket);
      if (head) {
        for (let more = socket.read() as Buffer | null; more !== null; more = socket.read() as Buffer | null) chunks.push(more);
        stopReading(socket);
        head.bytes = Buffer.concat(chunks);
      }
      resolve(head);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const all = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      if (all.indexOf(END_OF_HEAD) >= 0) return finish(parseRequestHead(all));
      if (size > MAX_HEAD_BYTES) {
        finish(undefined);
        socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    };
    const onClose = () => {
      finish(undefined);
      socket.destroy();
    };
    const timer = setTimeout(onClose, HEAD_TIMEOUT_MS);
    timer.unref();
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.on('error', onClose);
    socket.resume();
  });
}
