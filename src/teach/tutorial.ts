/**
 * Tutorials: flowsh scripts in samples/tutorials/ whose comments carry the commentary (the format is
 * in samples/tutorials/README.md). `flowsh -f FILE` runs one as a plain script (comments skipped);
 * the `tutorial` statement lists them and shows the commentary between the steps.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitStatements } from '../query/parse.ts';
import { runStatement } from '../query/index.ts';
import type { Catalog } from '../store/table.ts';

/** a fact the commentary states: QUERY returns at least one row ('some') or exactly `rows` rows */
export interface TutorialCheck {
  readonly query: string;
  readonly rows: number | 'some';
  /** 1-based line in the file */
  readonly line: number;
}

export interface TutorialStep {
  /** commentary shown before the statement, one entry per line ('' separates paragraphs) */
  readonly commentary: readonly string[];
  readonly statement: string;
  readonly line: number;
  /** checks written after the statement, before the next step */
  readonly checks: readonly TutorialCheck[];
}

export interface Tutorial {
  readonly name: string;
  readonly file: string;
  readonly title: string;
  readonly intro: readonly string[];
  readonly steps: readonly TutorialStep[];
  /** commentary after the last statement */
  readonly closing: readonly string[];
}

export class TutorialFormatError extends Error {}

const COMMENTARY = /^\s*##(?: (.*)|\s*)$/;
const CHECK = /^\s*#\?(\d*)\s+(\S.*)$/;

/** Reads a tutorial's text: `## ` commentary, `#? QUERY` checks, everything else as a flowsh script. */
export function parseTutorial(name: string, file: string, text: string): Tutorial {
  const lines = text.split('\n');
  const statements = splitStatements(text);
  // each statement's first and last line
  const spans = statements.map((s) => ({ text: s.text, first: s.line, last: s.line + (s.text.match(/\n/g)?.length ?? 0) }));
  let header: string[] | undefined;
  // the header (title and introduction) is the first block of consecutive ## lines
  let headerDone = false;
  let pending: string[] = [];
  const steps: { commentary: string[]; statement: string; line: number; checks: TutorialCheck[] }[] = [];
  let next = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    if (spans[next]?.first === lineNo) {
      if (header === undefined) throw new TutorialFormatError(`${file}: the file starts with '## TITLE' lines before its first statement`);
      let last = lineNo;
      // several statements may share a line (a; b): each is a step
      while (spans[next]?.first === lineNo) {
        const span = spans[next++]!;
        steps.push({ commentary: trimBlank(pending), statement: span.text, line: span.first, checks: [] });
        pending = [];
        last = Math.max(last, span.last);
      }
      headerDone = true;
      i = last - 1;
      continue;
    }
    const commentary = COMMENTARY.exec(lines[i]!);
    if (commentary) {
      const t = (commentary[1] ?? '').trimEnd();
      if (!headerDone) (header ??= []).push(t);
      else pending.push(t);
      continue;
    }
    if (header !== undefined) headerDone = true;
    const check = CHECK.exec(lines[i]!);
    if (check) {
      const step = steps[steps.length - 1];
      if (!step) throw new TutorialFormatError(`${file}:${lineNo}: a check needs a statement (a load) before it`);
      step.checks.push({ query: check[2]!.trim(), rows: check[1] ? Number(check[1]) : 'some', line: lineNo });
    }
  }
  if (header === undefined || header[0] === '') throw new TutorialFormatError(`${file}: the first line is '## TITLE'`);
  if (steps.length === 0) throw new TutorialFormatError(`${file}: no statement`);
  return { name, file, title: header[0]!, intro: trimBlank(header.slice(1)), steps, closing: trimBlank(pending) };
}

function trimBlank(lines: readonly string[]): string[] {
  let a = 0, b = lines.length;
  while (a < b && lines[a] === '') a++;
  while (b > a && lines[b - 1] === '') b--;
  return lines.slice(a, b);
}

/**
 * samples/tutorials of the project: next to the sources (src/teach -> ../../samples) or to the
 * bundle (dist -> ../samples); a bundle elsewhere finds the folder under the working directory.
 */
export function tutorialDirectory(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [resolve(here, '../../samples/tutorials'), resolve(here, '../samples/tutorials'), resolve('samples/tutorials')]) {
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

/** the folder relative paths in a tutorial are read from: the project folder above samples/ */
export function tutorialRoot(dir: string): string {
  return resolve(dir, '../..');
}

/** a path as a tutorial means it: relative to the project folder */
export function tutorialPath(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(tutorialRoot(dir), path);
}

export function listTutorials(dir: string | undefined = tutorialDirectory()): Tutorial[] {
  if (!dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.fsh')).sort();
  } catch {
    return [];
  }
  return names.map((f) => readTutorial(join(dir, f)));
}

export function readTutorial(file: string): Tutorial {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return parseTutorial(base.replace(/\.fsh$/, ''), file, readFileSync(file, 'utf8'));
}

export function findTutorial(name: string, dir: string | undefined = tutorialDirectory()): Tutorial | undefined {
  const wanted = name.trim().replace(/\.fsh$/, '').toLowerCase();
  return listTutorials(dir).find((t) => t.name.toLowerCase() === wanted);
}

/** undefined when the check holds, else what went wrong (the query fails or returns other rows) */
export function checkFailure(check: TutorialCheck, catalog: Catalog): string | undefined {
  let rows: number;
  try {
    const result = runStatement(check.query, catalog).result;
    if (!result) return `line ${check.line}: '${check.query}' is not a query`;
    rows = result.rowCount;
  } catch (e) {
    return `line ${check.line}: '${check.query}' failed: ${(e as Error).message}`;
  }
  const holds = check.rows === 'some' ? rows > 0 : rows === check.rows;
  return holds ? undefined : `line ${check.line}: '${check.query}' returned ${rows} rows, expected ${check.rows === 'some' ? 'at least one' : check.rows}`;
}
