// Upload one local file to a block blob and prove it arrived whole: the file is read once in blocks; each block
// carries its MD5 (the service refuses a block that arrives different), the committed blob gets the whole file's MD5
// as its Content-MD5, and the blob's size and MD5 are read back and compared before the upload counts.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { BlockBlobClient } from '@azure/storage-blob';
import { BlobRecordingsError, BlobRecordingsErrorCode } from './blob-recordings-error.js';

/** What one verified upload produced. */
export interface VerifiedUpload {
  bytes: number;
  /** Base64 MD5 of the whole file, as Blob Storage shows it (Content-MD5). */
  md5: string;
}

/** What to upload and how. */
export interface FileUploadRequest {
  path: string;
  contentType: string;
  metadata: Record<string, string>;
  /** Bytes per staged block (memory per upload in flight). */
  blockSizeBytes: number;
  signal: AbortSignal;
}

/** Block ids must all have the same length within a blob. */
function blockId(index: number): string {
  return Buffer.from(`block-${index.toString().padStart(6, '0')}`).toString('base64');
}

/** Upload `request.path` to `blob` (replacing it) and verify size and MD5; throws BlobRecordingsError (VerifyFailed)
 *  on a mismatch, or the SDK's / file system's error. */
export async function uploadFileVerified(blob: BlockBlobClient, request: FileUploadRequest): Promise<VerifiedUpload> {
  const whole = createHash('md5');
  const ids: string[] = [];
  let bytes = 0;
  const file = await open(request.path, 'r');
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(request.blockSizeBytes);
      const { bytesRead } = await file.read(chunk, 0, chunk.length, bytes);
      if (bytesRead === 0) break;
      const block = chunk.subarray(0, bytesRead);
      whole.update(block);
      const id = blockId(ids.length);
      const transactionalContentMD5 = createHash('md5').update(block).digest();
      await blob.stageBlock(id, block, bytesRead, { transactionalContentMD5, abortSignal: request.signal });
      ids.push(id);
      bytes += bytesRead;
    }
  } finally {
    await file.close();
  }
  const md5 = whole.digest();
  await blob.commitBlockList(ids, {
    blobHTTPHeaders: { blobContentType: request.contentType, blobContentMD5: md5 },
    metadata: request.metadata,
    abortSignal: request.signal,
  });
  const properties = await blob.getProperties({ abortSignal: request.signal });
  const remoteMd5 = properties.contentMD5 === undefined ? undefined : Buffer.from(properties.contentMD5).toString('base64');
  if (properties.contentLength !== bytes || remoteMd5 !== md5.toString('base64')) {
    throw new BlobRecordingsError(
      BlobRecordingsErrorCode.VerifyFailed,
      `upload: blob ${blob.name} has ${properties.contentLength} bytes, MD5 ${remoteMd5}; the local file ${request.path} ` +
        `has ${bytes} bytes, MD5 ${md5.toString('base64')}. It will be uploaded again; if this repeats, check for ` +
        'something else writing the same blob name.',
    );
  }
  return { bytes, md5: md5.toString('base64') };
}
