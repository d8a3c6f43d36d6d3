import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { LabError } from './errors.js';

/** One thing wrong with an input file: where inside it, and what was expected. */
export interface Problem {
  path: (string | number)[];
  message: string;
}

/** `routers.natA.inside[1]`: names joined by dots, list indices in brackets. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (!path.length) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

export function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

export function invalidFile(file: string, problems: Problem[]): LabError {
  const lines = problems.map((p) => `${displayName(file)}: ${formatPath(p.path)}: ${p.message}`);
  return new LabError('invalid-file', lines.join('\n'), problems.length > 1 ? `${problems.length} problems; nothing was built` : 'nothing was built');
}

export function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LabError('not-found', `${displayName(file)}: cannot read: ${(err as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new LabError('invalid-file', `${displayName(file)}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Validates data against a schema; every problem names the file and the path inside it. */
export function validateWith<S extends z.ZodType>(file: string, schema: S, data: unknown): z.infer<S> {
  // Each file is checked once: zod's JIT would compile a parser per object schema for one use.
  const result = schema.safeParse(data, { jitless: true });
  if (result.success) return result.data;
  throw invalidFile(file, result.error.issues.flatMap((issue) => problemsOf(issue, [])));
}

type Issue = z.core.$ZodIssue;

function problemsOf(issue: Issue, prefix: (string | number)[]): Problem[] {
  const path = [...prefix, ...(issue.path as (string | number)[])];
  if (issue.code === 'invalid_union' && issue.errors.length) {
    // Report the alternative the input was shaped like: the one that did not fail on its type.
    const fitting = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 0));
    if (fitting.length === 1) return fitting[0].flatMap((i) => problemsOf(i, path));
    const custom = issue.errors.flat().find((i) => i.path.length === 0 && !i.message.startsWith('Invalid'));
    return [{ path, message: custom?.message ?? 'does not match any allowed form' }];
  }
  if (issue.code === 'invalid_key') {
    return [{ path, message: `key ${issue.issues.map((i) => i.message).join('; ')}` }];
  }
  return [{ path, message: describeIssue(issue) }];
}

function describeIssue(issue: Issue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `is required (expected ${issue.expected})`;
  return issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
}
