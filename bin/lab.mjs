#!/usr/bin/env node
// Entry point of `npm run lab`: rebuilds the bundles when a source changed, then runs the CLI.
import { ensureBuilt } from './build.mjs';

const dist = await ensureBuilt();
const { main } = await import(`${dist}/cli.mjs`);
process.exitCode = await main(process.argv.slice(2));
