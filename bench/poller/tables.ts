import { DEFAULT_NOTIFY_CONCURRENCY } from '../../src/poller/notify-worker.ts';
import type { SweepReport } from '../../src/poller/sweeper.ts';
import type { BenchResult } from '../report.ts';
import { mb, ms, ratio } from '../stats.ts';
import type { Delivery } from './delivery.ts';
import { type Memory, TUNED_NODE_OPTIONS } from './rss.ts';
import {
  CHANNELS,
  JOB_SPACING_S,
  JOBS,
  MAX_DELIVERY_RATIO,
  MAX_REQUEST_RATIO,
  MAX_RESTART_RATIO,
  MAX_RSS_BYTES,
  MAX_RSS_BYTES_LARGE,
  MAX_SWEEP_MS,
  PACE_MS,
  PAGE_SIZE,
  RECENT_WINDOW,
  type Scale,
  TRANSITIONS,
  WATCHED_OLD,
  WATCHED_RECENT,
} from './sizes.ts';
import type { SweepFigures } from './sweep.ts';

/** The poller bench's tables, targets and notes from what it measured. */
export function pollerResult(
  s: SweepFigures,
  watchedCount: number,
  delivery: Delivery,
  headroom: Delivery,
  m: Memory,
  big: { sweeps: SweepFigures; delivery: Delivery; wider: Delivery; scale: Scale },
): BenchResult {
  const { first, sweepMs, sweepRequests, steadyReport, singleMs, singleRequests, fewest } = s;
  const { idle, full, restarted } = m;
  const sweepRow = (name: string, requests: number, time: number, r?: SweepReport) => [
    name,
    String(requests),
    r ? `${r.pages} pages + ${r.singleReads} single` : `${requests} single`,
    ratio(requests / fewest.requests),
    ms(time),
  ];
  return {
    name: 'poller',
    title: 'Poller (issue "The poller")',
    tables: [
      {
        title: `One sweep: ${JOBS.toLocaleString('en')} jobs, ${watchedCount} running and watched from ${CHANNELS} channels`,
        head: ['read', 'API requests', 'made of', '÷ fewest possible', 'wall time'],
        rows: [
          sweepRow('sweep (steady state, median of 3)', sweepRequests, sweepMs, steadyReport),
          sweepRow('each watched job singly (baseline)', singleRequests, singleMs),
          [
            'fewest possible',
            String(fewest.requests),
            `${fewest.pages} pages + ${fewest.singles} single`,
            '1.00×',
            '',
          ],
          sweepRow('first sweep (no created_at known yet)', first.requests, first.ms, first.report),
        ],
      },
      {
        title: `Delivery: ${TRANSITIONS} transitions, each channel limited by Slack to 1 message/s`,
        head: [
          'notify worker paceMs',
          'posted',
          'busiest channel',
          'floor (busiest × 1 s)',
          'sweep start → last post',
          '÷ floor',
          '429s',
        ],
        rows: [delivery, headroom].map((d) => [
          d.paceMs === PACE_MS ? `${d.paceMs} (default)` : `${d.paceMs} (no headroom)`,
          `${d.delivered} of ${TRANSITIONS} (${d.found} found)`,
          `${d.busiest} messages`,
          ms(d.floorMs),
          ms(d.ms),
          ratio(d.ms / d.floorMs),
          String(d.limited),
        ]),
      },
      {
        title:
          'Worker process memory: the built worker (`node dist/bot/main.js`, FT_ROLE=worker, plain node) after its first sweep, RSS from /proc',
        head: ['process', 'subscriptions', 'RSS after the sweep', 'peak RSS (VmHWM)', 'sweep'],
        rows: [
          ['bare node, nothing loaded (baseline)', '0', mb(m.bareRss), '', ''],
          ...[
            ['idle worker', idle],
            ['loaded worker, first sweep (nothing seen yet)', full],
            ['loaded worker restarted (statuses known)', restarted],
            ['loaded worker, first sweep', m.large],
            [`loaded worker restarted, NODE_OPTIONS=${TUNED_NODE_OPTIONS}`, m.restartedTuned],
            [`loaded worker, first sweep, NODE_OPTIONS=${TUNED_NODE_OPTIONS}`, m.largeTuned],
          ].map(([name, r]) => {
            const f = r as typeof idle;
            return [
              name as string,
              f.subscriptions.toLocaleString('en'),
              mb(f.rss),
              mb(f.peak),
              f.subscriptions === 0
                ? 'nothing to read'
                : `${f.requests} API requests (fewest ${Math.ceil(f.subscriptions / PAGE_SIZE)}); start to first sweep done in ${ms(f.firstSweepMs)}`,
            ];
          }),
        ],
      },
      {
        title: `Ten times the load: ${big.scale.jobs.toLocaleString('en')} jobs, ${(big.scale.watchedRecent + big.scale.watchedOld).toLocaleString('en')} running and watched from ${big.scale.channels} channels, ${big.scale.transitions.toLocaleString('en')} transitions`,
        head: ['measure', 'measured', 'baseline', 'ratio'],
        rows: [
          [
            'API requests per steady sweep',
            `${big.sweeps.sweepRequests} (${big.sweeps.steadyReport.pages} pages + ${big.sweeps.steadyReport.singleReads} single)`,
            `${big.sweeps.fewest.requests} fewest possible (${big.sweeps.fewest.pages} pages + ${big.sweeps.fewest.singles} single)`,
            ratio(big.sweeps.sweepRequests / big.sweeps.fewest.requests),
          ],
          [
            'steady sweep wall time (median of 3)',
            ms(big.sweeps.sweepMs),
            `${ms(big.sweeps.singleMs)} reading each watched job singly`,
            ratio(big.sweeps.sweepMs / big.sweeps.singleMs),
          ],
          [
            'first sweep (no created_at known yet)',
            `${big.sweeps.first.requests} requests, ${ms(big.sweeps.first.ms)}`,
            `${big.sweeps.singleRequests} single reads`,
            ratio(big.sweeps.first.requests / big.sweeps.singleRequests),
          ],
          [
            `delivery of ${big.scale.transitions.toLocaleString('en')} transitions`,
            `${ms(big.delivery.ms)} (${big.delivery.delivered} posted, ${big.delivery.limited} × 429)`,
            `${ms(big.delivery.floorMs)} floor (busiest channel ${big.delivery.busiest} messages × 1 s)`,
            ratio(big.delivery.ms / big.delivery.floorMs),
          ],
          [
            `the same, notify concurrency ${4 * DEFAULT_NOTIFY_CONCURRENCY} (default ${DEFAULT_NOTIFY_CONCURRENCY})`,
            `${ms(big.wider.ms)} (${big.wider.delivered} posted, ${big.wider.limited} × 429)`,
            `${ms(big.wider.floorMs)} floor (busiest channel ${big.wider.busiest} messages × 1 s)`,
            ratio(big.wider.ms / big.wider.floorMs),
          ],
        ],
      },
    ],
    targets: [
      {
        name: 'requests per sweep',
        goal: `≤ ${MAX_REQUEST_RATIO}× fewest possible`,
        measured: `${sweepRequests} vs ${fewest.requests} = ${ratio(sweepRequests / fewest.requests)}`,
        met:
          sweepRequests <= MAX_REQUEST_RATIO * fewest.requests && steadyReport.unread.length === 0,
      },
      {
        name: 'sweep wall time',
        goal: `< ${ms(MAX_SWEEP_MS)}`,
        measured: ms(sweepMs),
        met: sweepMs < MAX_SWEEP_MS,
      },
      {
        name: 'delivery of 100 transitions',
        goal: `≤ ${MAX_DELIVERY_RATIO}× rate-limit floor`,
        measured: `${ms(delivery.ms)} vs ${ms(delivery.floorMs)} = ${ratio(delivery.ms / delivery.floorMs)}`,
        met:
          delivery.delivered === TRANSITIONS &&
          delivery.ms <= MAX_DELIVERY_RATIO * delivery.floorMs,
      },
      {
        name: 'worker RSS, 10,000 subscriptions',
        goal: `< ${mb(MAX_RSS_BYTES)}`,
        measured: `${mb(full.rss)} first sweep, ${mb(restarted.rss)} restarted (idle worker ${mb(idle.rss)}, bare node ${mb(m.bareRss)}); with ${TUNED_NODE_OPTIONS}: ${mb(m.restartedTuned.rss)}`,
        met: full.rss < MAX_RSS_BYTES && restarted.rss < MAX_RSS_BYTES,
      },
      {
        name: 'worker RSS, 100,000 subscriptions',
        goal: `< ${mb(MAX_RSS_BYTES_LARGE)}`,
        measured: `${mb(m.large.rss)} first sweep (peak ${mb(m.large.peak)}); with ${TUNED_NODE_OPTIONS}: ${mb(m.largeTuned.rss)}`,
        met: m.large.rss < MAX_RSS_BYTES_LARGE,
      },
      {
        name: 'first sweep after a restart, 10,000 watched',
        goal: `≤ ${MAX_RESTART_RATIO}× fewest possible`,
        measured: `${restarted.requests} vs ${Math.ceil(restarted.subscriptions / PAGE_SIZE)} = ${ratio(restarted.requests / Math.ceil(restarted.subscriptions / PAGE_SIZE))}`,
        met:
          restarted.requests <= MAX_RESTART_RATIO * Math.ceil(restarted.subscriptions / PAGE_SIZE),
      },
      {
        name: 'requests per sweep, ten times the load',
        goal: `≤ ${MAX_REQUEST_RATIO}× fewest possible`,
        measured: `${big.sweeps.sweepRequests} vs ${big.sweeps.fewest.requests} = ${ratio(big.sweeps.sweepRequests / big.sweeps.fewest.requests)}`,
        met:
          big.sweeps.sweepRequests <= MAX_REQUEST_RATIO * big.sweeps.fewest.requests &&
          big.sweeps.steadyReport.unread.length === 0,
      },
      {
        name: 'sweep wall time, ten times the load',
        goal: `< ${ms(big.scale.maxSweepMs)}`,
        measured: ms(big.sweeps.sweepMs),
        met: big.sweeps.sweepMs < big.scale.maxSweepMs,
      },
      {
        name: `delivery of ${big.scale.transitions.toLocaleString('en')} transitions in ${big.scale.channels} channels`,
        goal: `≤ ${MAX_DELIVERY_RATIO}× rate-limit floor`,
        measured: `${ms(big.delivery.ms)} vs ${ms(big.delivery.floorMs)} = ${ratio(big.delivery.ms / big.delivery.floorMs)}`,
        met:
          big.delivery.delivered === big.scale.transitions &&
          big.delivery.ms <= MAX_DELIVERY_RATIO * big.delivery.floorMs,
      },
    ],
    notes: [
      `Where the watched jobs sit: ${WATCHED_RECENT} among the newest ${RECENT_WINDOW.toLocaleString('en')} (people watch what they just started) and ${WATCHED_OLD} older long-running ones spread over the rest; jobs are ${JOB_SPACING_S} s apart. The fewest possible requests is the best k pages of ${PAGE_SIZE} plus one single read for each watched job beyond them, minimised over k, with every position known in advance: here ${fewest.pages} pages and ${fewest.singles} single reads of the old ones that lie deeper (each is cheaper read singly than paged down to). Spread evenly over all 5,000 jobs, 500 watched jobs would need all 50 pages and the comparison would say little.`,
      'The API emulator runs in the bench process and answers over loopback; sweep times include its work.',
      `Delivery time runs from the start of the sweep that finds the changes to the last message Slack (the emulator) accepted; the strict floor is (busiest − 1) × 1 s after the first post, so busiest × 1 s leaves one second for the sweep and the first post.`,
    ],
  };
}
