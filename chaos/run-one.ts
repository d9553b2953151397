/**
 * `npx tsx chaos/run-one.ts <name> [--short] [--seed N]`: one campaign, printed, nothing
 * written; for working on a campaign without running the whole battery.
 */
import { CAMPAIGNS } from './campaigns/index.ts';
import { Evidence } from './lib/evidence.ts';
import { textReport } from './lib/report.ts';

const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 9001;
const name = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '--seed');
const campaign = CAMPAIGNS.find((c) => c.name === name);
if (!campaign) {
  console.error(`usage: run-one <${CAMPAIGNS.map((c) => c.name).join('|')}> [--short] [--seed N]`);
  process.exit(2);
}
const result = await campaign.run({
  full: !args.includes('--short'),
  seed,
  evidence: new Evidence(),
  log: (line) => console.log(`  ${line}`),
});
console.log(textReport(result));
process.exit(result.rows.every((r) => r.met) ? 0 : 1);
