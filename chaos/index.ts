/**
 * `npm run chaos [-- <name>…] [--seed N] [--no-write]`: runs every campaign (or the named
 * ones) at full size against real child processes, real Redis and both emulators, prints a
 * table per campaign and records them, with the machine, in RELIABILITY.md. The secret-canary
 * scan runs last, over the evidence every other campaign left. Exits 1 if a target is missed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine, machineMarkdown } from '../bench/machine.ts';
import { CAMPAIGNS } from './campaigns/index.ts';
import type { CampaignResult } from './lib/campaign.ts';
import { Evidence } from './lib/evidence.ts';
import { markdownReport, replaceSection, summaryMarkdown, textReport } from './lib/report.ts';
import { SHARED_REDIS_URL } from './lib/world.ts';

const DOC = fileURLToPath(new URL('../RELIABILITY.md', import.meta.url));
const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : Date.now() % 2 ** 31;
const asked = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '--seed');
const unknown = asked.filter((a) => !CAMPAIGNS.some((c) => c.name === a));
if (unknown.length > 0) {
  console.error(
    `unknown campaign ${unknown.join(', ')}; known: ${CAMPAIGNS.map((c) => c.name).join(', ')}`,
  );
  process.exit(2);
}
const chosen = asked.length > 0 ? CAMPAIGNS.filter((c) => asked.includes(c.name)) : CAMPAIGNS;
const write = !args.includes('--no-write');

const machine = await describeMachine(SHARED_REDIS_URL);
console.log(`${machineMarkdown(machine)}\nseed ${seed}\n`);
const evidence = new Evidence();
const results: CampaignResult[] = [];
const t0 = performance.now();
for (const campaign of chosen) {
  console.log(`--- ${campaign.name}`);
  const result = await campaign.run({
    full: true,
    seed,
    evidence,
    log: (line) => console.log(`  ${line}`),
  });
  results.push(result);
  console.log(`${textReport(result)}\n`);
}
const totalS = (performance.now() - t0) / 1000;
const missed = results.flatMap((r) => r.rows.filter((row) => !row.met));
console.log(
  `${results.length} campaigns in ${totalS.toFixed(0)} s; ${missed.length} targets missed`,
);

if (write) {
  let doc = readFileSync(DOC, 'utf8');
  // The machine and summary describe a whole battery; a partial run updates its own sections.
  if (chosen.length === CAMPAIGNS.length)
    doc = replaceSection(
      doc,
      'machine',
      `${machineMarkdown(machine)}\n\nSeed ${seed}; ${results.length} campaigns in ${totalS.toFixed(0)} s (\`npm run chaos\`).\n\n${summaryMarkdown(results)}`,
    );
  for (const r of results)
    doc = replaceSection(doc, r.name, markdownReport(r, { seed, date: machine.date }));
  writeFileSync(DOC, doc);
  // Tables aligned as the linter wants them, so a fresh run leaves `npm run lint` clean.
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  execFileSync(biome, ['format', '--write', DOC], { stdio: 'ignore' });
  console.log('RELIABILITY.md updated');
}
process.exit(missed.length > 0 ? 1 : 0);
