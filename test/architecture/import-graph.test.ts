// ARCHITECTURE.md's direction, enforced: no import cycle between files of src/, and no folder importing one it must
// not (the emulator shares only wire formats; protocol, audio and errors stand alone).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../../src');
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => relative(SRC, resolve(dirname(file), m[1].replace(/\.js$/, '.ts'))));
    edges.set(relative(SRC, file), targets);
  }
  return edges;
}

/** Folder → folders it must never import (ARCHITECTURE.md "The parts"). */
const FORBIDDEN: Record<string, string[]> = {
  errors: ['*'],
  protocol: ['audio', 'media', 'server', 'cluster', 'recordings-storage', 'calls', 'emulator', 'cli', 'agent'],
  audio: ['protocol', 'media', 'server', 'cluster', 'recordings-storage', 'calls', 'emulator', 'cli', 'agent'],
  media: ['server', 'cluster', 'recordings-storage', 'calls', 'emulator', 'cli', 'agent'],
  emulator: ['server', 'media', 'cluster', 'recordings-storage', 'calls', 'cli', 'agent'],
  calls: ['server', 'media', 'cluster', 'recordings-storage', 'emulator', 'cli', 'agent'],
  server: ['cli', 'emulator', 'agent'],
  cluster: ['server', 'recordings-storage', 'calls', 'emulator', 'cli', 'agent'],
  'recordings-storage': ['server', 'cluster', 'calls', 'emulator', 'cli', 'agent'],
  agent: ['server', 'cluster', 'recordings-storage', 'emulator', 'cli'],
};

const folderOf = (file: string): string => (file.includes('/') ? file.split('/')[0] : '.');

test('no import cycle between files of src/', () => {
  const edges = graph();
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of edges.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('no import cycle between folders of src/ (a folder that imports another is never imported back by it, even through a third)', () => {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph()) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== from && from !== '.' && to !== '.') folders.set(from, (folders.get(from) ?? new Set()).add(to));
    }
  }
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    for (const next of folders.get(from) ?? []) {
      if (next === to) return true;
      if (!seen.has(next) && (seen.add(next), reaches(next, to, seen))) return true;
    }
    return false;
  };
  const cycles = [...folders].flatMap(([from, tos]) => [...tos].filter((to) => reaches(to, from)).map((to) => `${from} → ${to} → … → ${from}`));
  assert.deepEqual(cycles, []);
});

test('folders import only in ARCHITECTURE.md direction', () => {
  const bad: string[] = [];
  for (const [file, targets] of graph()) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from || to === '.') continue;
      const rule = FORBIDDEN[from] ?? [];
      if (rule.includes('*') || rule.includes(to)) bad.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(bad, []);
});
