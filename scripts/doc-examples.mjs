// The TypeScript examples in README.md and docs/*.md, each kept as a file in examples/ that `npm run typecheck`
// compiles, so an example that stops compiling fails the build. test/architecture/doc-examples.test.ts fails when a
// document's block and its file differ; `node scripts/doc-examples.mjs --write` makes the files anew from the
// documents (the prelude above the marker line, with declarations of a block's placeholders, is kept).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MARKER = '// ---- the example, exactly as the document shows it ----';

/** Every ```ts block of the documents, with the file that holds it: examples/<document>-<n>.ts. */
export function docExamples(root = '.') {
  const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  const found = [];
  for (const doc of docs) {
    const text = readFileSync(join(root, doc), 'utf8');
    const blocks = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    const base = doc.replace(/^docs\//, '').replace(/\.md$/, '').toLowerCase();
    blocks.forEach((code, i) => found.push({ doc, index: i + 1, code, file: join('examples', `${base}-${i + 1}.ts`) }));
  }
  return found;
}

/** The example part of an examples/ file (after the marker line). */
export function exampleOf(fileText) {
  const at = fileText.indexOf(`${MARKER}\n`);
  return at < 0 ? undefined : fileText.slice(at + MARKER.length + 1);
}

if (process.argv[2] === '--write') {
  for (const { doc, index, code, file } of docExamples()) {
    const prelude = existsSync(file)
      ? readFileSync(file, 'utf8').split(`${MARKER}\n`)[0]
      : `// ${doc}, TypeScript example ${index}: compiled by \`npm run typecheck\`, compared with the document by\n// test/architecture/doc-examples.test.ts. Declarations of the example's placeholders go above the marker.\nexport {};\n`;
    writeFileSync(file, `${prelude}${MARKER}\n${code}`);
    console.log(`wrote ${file}`);
  }
}
