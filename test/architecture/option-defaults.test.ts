// Options in one place: each public factory has one DEFAULTS object that its code spreads, and the TSDoc `@default`
// of every option says what that object holds. Read from the source with the TypeScript compiler, so a default
// changed in one place and not the other fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { MEDIA_SERVER_DEFAULTS } from '../../src/server/media-server-options.js';
import { LIVE_FEED_DEFAULTS } from '../../src/server/live-feed.js';
import * as jwt from '../../src/server/auth/jwt-verifier.js';
import { NATS_DEFAULTS } from '../../src/cluster/nats-options.js';
import { SUBSCRIBE_DEFAULTS } from '../../src/cluster/subscribe.js';
import { BLOB_RECORDINGS_DEFAULTS } from '../../src/recordings-storage/blob-recordings-options.js';
import { MEDIA_HUB_DEFAULTS } from '../../src/media/media-hub-options.js';

const SRC = resolve(import.meta.dirname, '../../src');

/** Each options interface, the file it is in, and the defaults its factory spreads. */
const CASES: Array<{ file: string; options: string; defaults: object; constants?: Record<string, unknown> }> = [
  { file: 'server/media-server-options.ts', options: 'MediaServerOptions', defaults: MEDIA_SERVER_DEFAULTS },
  { file: 'media/contract.ts', options: 'MediaHubOptions', defaults: MEDIA_HUB_DEFAULTS },
  { file: 'server/ingest.ts', options: 'IngestLimits', defaults: MEDIA_SERVER_DEFAULTS.limits },
  { file: 'server/live-feed.ts', options: 'LiveFeedOptions', defaults: LIVE_FEED_DEFAULTS },
  { file: 'server/auth/jwt-verifier.ts', options: 'JwtVerifierOptions', defaults: jwt.JWT_VERIFIER_DEFAULTS, constants: { ...jwt } },
  { file: 'cluster/nats-options.ts', options: 'NatsOptions', defaults: NATS_DEFAULTS },
  { file: 'cluster/subscribe.ts', options: 'SubscribeOptions', defaults: SUBSCRIBE_DEFAULTS },
  { file: 'recordings-storage/blob-recordings-options.ts', options: 'BlobRecordingsOptions', defaults: BLOB_RECORDINGS_DEFAULTS },
  { file: 'recordings-storage/blob-recordings-options.ts', options: 'BlobRetryOptions', defaults: BLOB_RECORDINGS_DEFAULTS.retry },
];

/** Field → the text of its `@default` tag (undefined when it has none), for one interface of one file. */
function documentedDefaults(file: string, name: string): Map<string, string | undefined> {
  const source = ts.createSourceFile(file, readFileSync(resolve(SRC, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  assert.ok(found, `interface ${name} in src/${file}`);
  const fields = new Map<string, string | undefined>();
  for (const member of found.members) {
    if (!ts.isPropertySignature(member)) continue;
    const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
    fields.set(member.name.getText(source), tag === undefined ? undefined : ts.getTextOfJSDocComment(tag.comment)?.trim());
  }
  return fields;
}

// A value alone, or followed by an explanation in parentheses (`@default 900000 (15 min)`); anything else is prose.
const LITERAL = /^(-?\d[\d_]*(?:\.\d+)?|'[^']*'|true|false)(?=$|\s+\()/;
const CONSTANT = /^([A-Z][A-Z0-9_]+)(?=$|\s+\()/;

/** The value a `@default` text names (a literal, or a constant exported beside the options), or none for prose. */
function valueOf(text: string | undefined, constants: Record<string, unknown>): { value: unknown } | undefined {
  if (text === undefined) return undefined;
  const literal = LITERAL.exec(text)?.[1];
  if (literal !== undefined) {
    if (literal.startsWith("'")) return { value: literal.slice(1, -1) };
    if (literal === 'true' || literal === 'false') return { value: literal === 'true' };
    return { value: Number(literal.replace(/_/g, '')) };
  }
  const constant = CONSTANT.exec(text)?.[1];
  return constant !== undefined && constant in constants ? { value: constants[constant] } : undefined;
}

for (const { file, options, defaults, constants = {} } of CASES) {
  test(`${options}: every @default is in its DEFAULTS object with the same value, and every default is documented`, () => {
    const documented = documentedDefaults(file, options);
    const problems: string[] = [];
    for (const [field, value] of Object.entries(defaults)) {
      if (!documented.has(field)) problems.push(`${field} is in the defaults but not an option of ${options}`);
      else if (typeof value === 'object' && value !== null) continue; // a group of options, checked as its own case
      else {
        const said = valueOf(documented.get(field), constants);
        if (said === undefined) problems.push(`${field}: default ${JSON.stringify(value)}, but its TSDoc says @default ${documented.get(field) ?? '(nothing)'}`);
        else if (said.value !== value) problems.push(`${field}: default ${JSON.stringify(value)}, but its TSDoc says ${JSON.stringify(said.value)}`);
      }
    }
    for (const [field, text] of documented) {
      if (valueOf(text, constants) !== undefined && !(field in defaults)) problems.push(`${field}: @default ${text} is in no DEFAULTS object`);
    }
    assert.deepEqual(problems, []);
  });
}
