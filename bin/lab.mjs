#!/usr/bin/env node
// Entry point of `npm run lab`: rebuilds the bundles when a source changed, then runs the CLI.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ensureBuilt } from './build.mjs';

const dist = await ensureBuilt();
// The CommonJS build of the CLI loads through a V8 code cache (bin/code-cache.cjs): about a third
// less CPU to start on Node 20. WEBRTC_LAB_CODE_CACHE=off runs the ES module instead.
const require = createRequire(import.meta.url);
const cjs = `${dist}/cli.cjs`;
const { main } = process.env.WEBRTC_LAB_CODE_CACHE !== 'off' && existsSync(cjs) ? (require('./code-cache.cjs'), require(cjs)) : await import(`${dist}/cli.mjs`);
process.exitCode = await main(process.argv.slice(2));
