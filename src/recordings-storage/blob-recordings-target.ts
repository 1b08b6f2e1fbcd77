// Where recordings go, from the `--recordings` value: a local folder, nothing, or an Azure Blob container
// (`azblob://<container>[/<prefix>]`), and the connection string that `azblob://` needs from the environment.
import { BlobRecordingsError, BlobRecordingsErrorCode } from './blob-recordings-error.js';

/** A parsed `--recordings` value. */
export type RecordingsTarget =
  | { kind: 'none' }
  | { kind: 'local'; dir: string }
  /** Blob names are `<prefix>/<YYYY-MM-DD>/<session id>/<file>`; no prefix means the container's root. */
  | { kind: 'azblob'; container: string; prefix: string | undefined };

/** Environment variables read for the Blob connection string, first one set wins. */
export const BLOB_CONNECTION_STRING_ENV = ['ACS_AUDIO_BLOB_CONNECTION_STRING', 'AZURE_STORAGE_CONNECTION_STRING'] as const;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
// Azure's rules: 3–63 characters; lowercase letters, digits and hyphens; starts and ends with a letter or digit;
// no two hyphens in a row.
const CONTAINER_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;
// A blob name is at most 1024 characters; leave room for `/<YYYY-MM-DD>/<session id>/<track file>`.
const MAX_PREFIX_LENGTH = 768;

function badTarget(value: string, problem: string): BlobRecordingsError {
  return new BlobRecordingsError(BlobRecordingsErrorCode.BadTarget, `--recordings ${JSON.stringify(value)}: ${problem}`);
}

/** Parse `none`, a folder path, or `azblob://<container>[/<prefix>]`; throws BlobRecordingsError (BadTarget). */
export function parseRecordingsTarget(value: string): RecordingsTarget {
  const trimmed = value.trim();
  if (trimmed === '') throw badTarget(value, 'empty; give a folder, "none", or azblob://<container>[/<prefix>].');
  if (trimmed === 'none') return { kind: 'none' };
  const scheme = SCHEME.exec(trimmed)?.[1];
  if (scheme === undefined) return { kind: 'local', dir: trimmed };
  if (scheme.toLowerCase() !== 'azblob') {
    throw badTarget(value, `unsupported scheme "${scheme}://"; use a local folder or azblob://<container>[/<prefix>].`);
  }
  return parseBlobTarget(value, trimmed.slice(scheme.length + 3));
}

function parseBlobTarget(value: string, rest: string): RecordingsTarget {
  const slash = rest.indexOf('/');
  const container = slash < 0 ? rest : rest.slice(0, slash);
  if (container === '') throw badTarget(value, 'no container name; write azblob://<container>[/<prefix>], e.g. azblob://call-recordings.');
  if (!CONTAINER_NAME.test(container)) {
    throw badTarget(
      value,
      `"${container}" is not a valid Blob container name: use 3–63 lowercase letters, digits and single hyphens, ` +
        'starting and ending with a letter or digit (e.g. azblob://call-recordings).',
    );
  }
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (prefix === '') return { kind: 'azblob', container, prefix: undefined };
  const segments = prefix.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw badTarget(value, `prefix "${prefix}" has an empty, "." or ".." segment; write it like azblob://${container}/prod/eu-west.`);
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\\\u0000-\u001f\u007f?#]/.test(prefix)) {
    throw badTarget(value, `prefix "${prefix}" contains a backslash, "?", "#" or a control character; use letters, digits, "-", "_", "." and "/".`);
  }
  if (prefix.length > MAX_PREFIX_LENGTH) {
    throw badTarget(value, `prefix is ${prefix.length} characters; keep it under ${MAX_PREFIX_LENGTH} (blob names end at 1024).`);
  }
  return { kind: 'azblob', container, prefix };
}

/** The Blob connection string from `env` (ACS_AUDIO_BLOB_CONNECTION_STRING, then AZURE_STORAGE_CONNECTION_STRING);
 *  throws BlobRecordingsError (NoConnectionString) naming both variables when neither is set. */
export function blobConnectionStringFrom(env: Readonly<Record<string, string | undefined>>, target = 'azblob://…'): string {
  for (const name of BLOB_CONNECTION_STRING_ENV) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  throw new BlobRecordingsError(
    BlobRecordingsErrorCode.NoConnectionString,
    `--recordings ${target} needs a Storage account connection string: set AZURE_STORAGE_CONNECTION_STRING (or ` +
      'ACS_AUDIO_BLOB_CONNECTION_STRING) to the one under "Access keys" in the Azure portal, ' +
      'or to "UseDevelopmentStorage=true" for a local Azurite.',
  );
}
