import { pick, shuffle } from '../../lib/campaign.ts';
import { REQUESTER, TRAINING, type World } from '../../lib/world.ts';
import { ALL_KINDS, bodyFor, CATEGORIES, type Category, type Kind, VALID_KINDS } from './kinds.ts';

/** One request: its kind, the job of its own it names and the response_url of its own. */
export interface Unit {
  kind: Kind;
  job: string;
  url: string;
  body: string;
}

export interface ValidUnit extends Unit {
  mode: 'once' | 'sequential' | 'concurrent';
  /** Replays of it (byte-identical re-sends). */
  copies: number;
  headers?: Record<string, string>;
  sent?: Promise<void>;
  statuses: number[];
  /** Sequential replays sent after the original's answer had arrived. */
  afterAnswer: number;
}

export interface ForgedUnit extends Unit {
  category: Category;
  /** Seeded draws, taken up front so the run does not depend on which lane sends first. */
  rolls: [number, number, number];
  status?: number;
}

/** A send in the storm, placed by `key`. */
interface Task {
  key: number;
  unit?: ValidUnit;
  run: () => Promise<void>;
}

export function newUnit(world: World, kind: Kind): Unit {
  const job = world.ft.addJob(kind === 'resume' ? { status: 'paused' } : {}).id;
  const url = world.slack.responseUrl(TRAINING, REQUESTER);
  return { kind, job, url, body: bodyFor(kind, job, url) };
}

/** The valid requests (some with replays) and the forgeries, every category in turn. */
export function planRequests(
  world: World,
  random: () => number,
  counts: { valid: number; replays: number; forged: number },
): { valid: ValidUnit[]; forged: ForgedUnit[] } {
  const valid: ValidUnit[] = Array.from({ length: counts.valid }, () => ({
    ...newUnit(world, VALID_KINDS[pick(random, VALID_KINDS.length)] as Kind),
    mode: 'once' as const,
    copies: 0,
    statuses: [],
    afterAnswer: 0,
  }));
  // Replays: some re-sent after the original's answer, some sent together with it.
  let replaysLeft = counts.replays;
  for (const u of shuffle(random, [...valid])) {
    if (replaysLeft <= 0) break;
    u.mode = random() < 0.5 ? 'sequential' : 'concurrent';
    u.copies = Math.min(replaysLeft, 1 + pick(random, u.mode === 'sequential' ? 2 : 3));
    replaysLeft -= u.copies;
  }
  const forged: ForgedUnit[] = shuffle(
    random,
    Array.from({ length: counts.forged }, (_, i) => ({
      ...newUnit(world, ALL_KINDS[pick(random, ALL_KINDS.length)] as Kind),
      category: CATEGORIES[i % CATEGORIES.length] as Category,
      rolls: [random(), random(), random()] as [number, number, number],
    })),
  );
  return { valid, forged };
}

/** The order: originals and forgeries shuffled; each sequential replay some way after its original. */
export function schedule(
  random: () => number,
  valid: ValidUnit[],
  forged: ForgedUnit[],
  send: {
    valid: (u: ValidUnit) => Promise<void>;
    forged: (u: ForgedUnit) => Promise<void>;
    replay: (u: ValidUnit) => Promise<void>;
  },
): Task[] {
  const firsts: Task[] = shuffle(random, [
    ...valid.map((u): Task => ({ key: 0, unit: u, run: () => send.valid(u) })),
    ...forged.map((u): Task => ({ key: 0, run: () => send.forged(u) })),
  ]);
  const tasks: Task[] = [];
  for (const [i, t] of firsts.entries()) {
    t.key = i;
    tasks.push(t);
    const u = t.unit;
    if (u?.mode !== 'sequential') continue;
    for (let c = 0; c < u.copies; c++) {
      tasks.push({ key: i + 20 + pick(random, 300) + 0.5, run: () => send.replay(u) });
    }
  }
  return tasks.sort((a, b) => a.key - b.key);
}
