// Every TypeScript example in README.md and docs/*.md is a file in examples/ that `npm run typecheck` compiles (the
// package name resolves to src/ through tsconfig paths), so an example that stops compiling fails the build; this
// test fails when a document's block and its file differ, or a block has no file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
// @ts-expect-error: a plain ESM script of the repository, without type declarations
import { docExamples, exampleOf } from '../../scripts/doc-examples.mjs';

interface DocExample {
  doc: string;
  index: number;
  code: string;
  file: string;
}

const examples = docExamples() as DocExample[];

test('the README and the docs have TypeScript examples (the library one among them)', () => {
  assert.ok(examples.some((e) => e.doc === 'README.md' && e.code.includes('createMediaServer')));
});

for (const { doc, index, code, file } of examples) {
  test(`${doc}, example ${index}: ${file} holds it exactly (and typecheck compiles it)`, () => {
    assert.ok(existsSync(file), `${file} is missing: run node scripts/doc-examples.mjs --write`);
    assert.equal(exampleOf(readFileSync(file, 'utf8')), code, `${file} differs from ${doc}: run node scripts/doc-examples.mjs --write`);
  });
}

test('examples/ holds no file whose block is gone from the documents', () => {
  const expected = new Set(examples.map((e) => e.file.replace(/^examples\//, '')));
  assert.deepEqual(readdirSync('examples').filter((f) => !expected.has(f)), []);
});
