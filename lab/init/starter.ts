/**
 * The files `webrtc-lab init` writes into a team's repo: a scenario, matrix expectations, a config,
 * a CI workflow; or, with an example's name, that shipped example (examples/<name>/) and the same three.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { LabError } from '../model/errors.js';
import { bundlePath, projectPath } from '../util/paths.js';

export interface StarterFile {
  path: string;
  text: string;
}

export const PACKAGE_NAME = 'webrtc-nat-lab';

/** `root`: the repo the files go into (stand-in viewer path is written relative to the scenario's folder). */
export function starterFiles(root: string): StarterFile[] {
  const standIn = relative(`${root}/lab`, bundlePath('peers/viewer'));
  return [
    { path: 'lab/my-app.yaml', text: scenario(standIn) },
    { path: 'lab/nat-gate.yaml', text: NAT_GATE },
    { path: 'webrtc-lab.config.ts', text: CONFIG },
    { path: '.github/workflows/nat-gate.yml', text: workflow({ title: 'My app behind a symmetric NAT', scenarios: ['lab/my-app.yaml'] }) },
  ];
}

/** The apps in examples/ that `init --example` copies (each knows nothing of the lab). */
export const EXAMPLES = {
  'cli-app': { title: 'node-datachannel peers as kind app', packages: [] as string[] },
  'browser-app': { title: 'a web app in two Chromium pages', packages: ['chromium'] },
} as const;
export type ExampleName = keyof typeof EXAMPLES;

/** The example's files under lab/<name>/ (its scenarios run from there), then expectations, config and workflow. */
export function exampleFiles(name: string): StarterFile[] {
  if (!(name in EXAMPLES)) throw new LabError('usage', `init: unknown example "${name}" (known: ${Object.keys(EXAMPLES).join(', ')})`);
  const example = EXAMPLES[name as ExampleName];
  const from = projectPath('examples', name);
  const files = readdirSync(from, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  const scenarios = files.filter((f) => f.endsWith('.yaml')).map((f) => `lab/${name}/${f}`);
  return [
    ...files.map((f) => ({ path: `lab/${name}/${f}`, text: readFileSync(`${from}/${f}`, 'utf8') })),
    { path: 'lab/nat-gate.yaml', text: NAT_GATE },
    { path: 'webrtc-lab.config.ts', text: CONFIG },
    { path: '.github/workflows/nat-gate.yml', text: workflow({ title: `The ${name} example (${example.title})`, scenarios, packages: example.packages }) },
  ];
}

const scenario = (standIn: string) => `# Your program as a WebRTC peer in a lab network: run it with  npx webrtc-lab run lab/my-app.yaml
# Paths in this file are relative to this file's folder.
name: my-app
description: "My app's viewer behind a symmetric NAT reaches the lab's camera (through TURN)."
# A preset (npx webrtc-lab topologies) or a topology file of your own, e.g. ./networks/office.yaml
topology: symmetric
peers:
  # The far end: the lab's camera peer (H.264 over werift) on host b.
  camera: { kind: pi-camera, host: b }
  # Your program on host a. It gets its settings in LAB_* environment variables and prints one JSON
  # event per line (the peer contract: node_modules/${PACKAGE_NAME}/peers/README.md).
  app:
    kind: command
    role: viewer
    host: a
    # A stand-in until yours is ready: the lab's own werift viewer. Replace with your program,
    # e.g. [node, ../src/lab-peer.js]. It runs in this folder, inside host a.
    command: [node, ${standIn}]
timeoutMs: 15000
expect:
  outcome: relay
  setupMs: { max: 5000 }
`;

const NAT_GATE = `# Expectations for  npx webrtc-lab matrix  (every pair of NAT presets).
# Each cell's outcome defaults to what RFC 4787 predicts for its two NATs; add budgets and overrides.
expect:
  setupMs: { p95: 3000 }        # offer -> datachannel open, 95th percentile over the repeats
cells:
  - viewer: symmetric
    camera: symmetric
    expect: { outcome: relay }
`;

const CONFIG = `import { defineConfig } from '${PACKAGE_NAME}';

// Command-line flags override every field. Docs: node_modules/${PACKAGE_NAME}/docs/config-and-api.md
export default defineConfig({
  backend: 'netns',
  reportsDir: 'reports',
  expect: './lab/nat-gate.yaml',
  workers: 2,
  repeat: 1,
  retries: 1,
  // On GitHub Actions: annotations for failed cells and the job summary as well.
  reporters: process.env.GITHUB_ACTIONS ? [['list'], ['github']] : [['list']],
});
`;

const workflow = (own: { title: string; scenarios: string[]; packages?: readonly string[] }) => `# NAT-traversal gate: the NAT matrix on four machines, then one merged verdict.
name: NAT traversal gate
on:
  pull_request:
  push: { branches: [main] }
  workflow_dispatch:

jobs:
  matrix:
    runs-on: ubuntu-24.04          # the lab needs root (sudo) and a kernel with nf_tables
    strategy:
      fail-fast: false
      matrix: { shard: [1, 2, 3, 4] }
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - run: sudo apt-get update && sudo apt-get install -y --no-install-recommends iproute2 nftables coturn tcpdump${own.packages?.length ? ` ${own.packages.join(' ')}` : ''}
      - run: npm ci
      - run: sudo -E env "PATH=$PATH" npx webrtc-lab doctor
${own.scenarios
  .map(
    (file) => `      - name: ${own.scenarios.length > 1 ? `${own.title} - ${file}` : own.title}
        if: matrix.shard == 1
        run: sudo -E env "PATH=$PATH" npx webrtc-lab run ${file}
        env: { WEBRTC_LAB_REPORTS_DIR: reports/${file.replace(/^lab\//, '').replace(/\.yaml$/, '').replace(/\//g, '-')} }
`,
  )
  .join('')}      - name: NAT matrix, shard \${{ matrix.shard }}/4
        run: sudo -E env "PATH=$PATH" npx webrtc-lab matrix --shard \${{ matrix.shard }}/4
        env: { WEBRTC_LAB_REPORTS_DIR: "reports/shard-\${{ matrix.shard }}" }
      - uses: actions/upload-artifact@v4
        if: always()
        with: { name: "nat-shard-\${{ matrix.shard }}", path: reports/ }

  gate:
    needs: matrix
    if: always()                   # merge even when a shard failed: the report says which cell
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - run: npm ci
      - uses: actions/download-artifact@v4
        with: { pattern: nat-shard-*, path: shards }
      - name: Merge the shards and gate (fails when a cell failed or a shard is missing)
        run: npx webrtc-lab merge shards/*/shard-*/*/ --reporter list,github
        env: { WEBRTC_LAB_REPORTS_DIR: reports/merged }
      - uses: actions/upload-artifact@v4
        if: always()
        with: { name: nat-matrix-report, path: reports/merged }   # index.html opens from disk
`;
