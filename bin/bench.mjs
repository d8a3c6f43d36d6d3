#!/usr/bin/env node
// Entry point of `npm run bench`.
import { ensureBuilt } from './build.mjs';

const dist = await ensureBuilt();
const { main } = await import(`${dist}/bench.mjs`);
process.exitCode = await main(process.argv.slice(2));
