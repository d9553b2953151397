/**
 * `npm run bench [-- <name>…]`: runs every bench (or the named ones), prints their tables and
 * writes their figures, with the machine they ran on, into BENCHMARKS.md between markers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchAck } from './ack.ts';
import { benchCluster } from './cluster/index.ts';
import { benchColdStart } from './cold/index.ts';
import { describeMachine, machineMarkdown } from './machine.ts';
import { REDIS_URL } from './namespace.ts';
import { benchPoller } from './poller/index.ts';

import { type BenchResult, markdownReport, replaceSection, textReport } from './report.ts';
import { benchResources } from './resources/index.ts';

const BENCHES: Record<string, () => Promise<BenchResult>> = {
  ack: benchAck,
  poller: benchPoller,
  'cold-start': benchColdStart,
  resources: benchResources,
  cluster: benchCluster,
};

const DOC = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !(a in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const names = asked.length > 0 ? asked : Object.keys(BENCHES);
const write = !process.argv.includes('--no-write');

const machine = await describeMachine(REDIS_URL);
console.log(`${machineMarkdown(machine)}\n`);

let doc = readDoc();
let missed = 0;
for (const name of names) {
  const t0 = performance.now();
  const result = await BENCHES[name]!();
  console.log(`${textReport(result)}\n(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  missed += result.targets.filter((t) => !t.met).length;
  doc = replaceSection(doc, name, markdownReport(result));
  doc = replaceSection(doc, `machine-${name}`, machineMarkdown(machine));
}
if (write) {
  writeFileSync(DOC, doc);
  // The tables are written plainly; the project's formatter aligns them as lint expects.
  execFileSync('npx', ['biome', 'format', '--write', DOC], { stdio: 'ignore' });
  console.log(`figures written to ${DOC}`);
}
console.log(missed === 0 ? 'every target met' : `${missed} target(s) missed`);

function readDoc(): string {
  try {
    return readFileSync(DOC, 'utf8');
  } catch {
    return '# Benchmarks\n';
  }
}
