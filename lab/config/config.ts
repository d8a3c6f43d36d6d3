/**
 * webrtc-lab.config.{ts,js,json}: defaults a team keeps in its repo (backend, reports folder,
 * reporters, workers, repeats, matrix expectations). Command-line flags override every field.
 */
import { z } from 'zod';
import type { BackendName } from '../backends/backend.js';
import { BACKEND_NAMES } from '../backends/registry.js';
import { matrixExpectationsSchema, type MatrixExpectations } from '../matrix/run-matrix.js';
import type { Reporter } from '../report/reporter.js';

export const REPORTER_NAMES = ['list', 'json', 'junit', 'markdown', 'html', 'github'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

export interface ReporterOptions {
  /** json, junit, markdown, html: write here (relative to the current folder) instead of stdout. */
  outputFile?: string;
  /** list: after a run, walk through it step by step (as --explain). */
  explain?: boolean;
  /** github: workflow annotations for failed (error) and flaky (warning) runs and cells; default true. */
  annotations?: boolean;
  /** github: append the Markdown summary to $GITHUB_STEP_SUMMARY; default true. */
  summary?: boolean;
}

/** A built-in reporter and its options, Playwright's way: `['junit', { outputFile: 'junit.xml' }]`. */
export type ReporterDescription = [ReporterName] | [ReporterName, ReporterOptions];

export interface LabConfig {
  /** Where labs are built (default netns; also $WEBRTC_LAB_BACKEND and lab.config.json). */
  backend?: BackendName;
  /** Report folders go here (relative to the config file); default ./reports of the current folder. */
  reportsDir?: string;
  /** Built-in reporters as tuples, or your own objects implementing Reporter. Default [['list']]. */
  reporters?: (ReporterDescription | Reporter)[];
  /** Matrix cells at once (each in its own lab). */
  workers?: number;
  /** Runs per scenario or matrix cell. */
  repeat?: number;
  /** Re-runs of a failed run (recorded: the result is "flaky"). */
  retries?: number;
  /** Share of repeats that must pass, 0..1. */
  minPassRate?: number;
  /** Matrix expectations: a YAML file (relative to the config file) or the same object inline. */
  expect?: string | MatrixExpectations;
}

/** Types a config file: `export default defineConfig({ ... })`. */
export function defineConfig(config: LabConfig): LabConfig {
  return config;
}

const reporterOptionsSchema = z.strictObject({
  outputFile: z.string().min(1).optional(),
  explain: z.boolean().optional(),
  annotations: z.boolean().optional(),
  summary: z.boolean().optional(),
});

const HOOKS = ['onBegin', 'onProgress', 'onRunEnd', 'onCellEnd', 'onEnd'] as const;

/** An object with at least one reporter hook, every present hook a function. */
export function isReporterObject(value: unknown): value is Reporter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return HOOKS.some((h) => typeof r[h] === 'function') && HOOKS.every((h) => r[h] === undefined || typeof r[h] === 'function');
}

const reporterSchema = z.union([
  z.tuple([z.enum(REPORTER_NAMES)]),
  z.tuple([z.enum(REPORTER_NAMES), reporterOptionsSchema]),
  z.custom<Reporter>(isReporterObject, { message: `a reporter is a tuple [name, options?] (name one of ${REPORTER_NAMES.join(', ')}) or an object with hooks (${HOOKS.join(', ')})` }),
]);

export const labConfigSchema = z.strictObject({
  backend: z.enum(BACKEND_NAMES).optional(),
  reportsDir: z.string().min(1).optional(),
  reporters: z.array(reporterSchema).optional(),
  workers: z.number().int().min(1).optional(),
  repeat: z.number().int().min(1).optional(),
  retries: z.number().int().min(0).optional(),
  minPassRate: z.number().min(0).max(1).optional(),
  expect: z.union([z.string().min(1), matrixExpectationsSchema]).optional(),
});
