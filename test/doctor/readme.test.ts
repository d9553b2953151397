import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/doctor/check.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("the README's account of npm run doctor", () => {
  it('lists every check the doctor runs, by the name it prints, in its order', () => {
    const start = readme.indexOf('It checks the configuration end to end');
    const section = readme.slice(start, readme.indexOf('Exit code 0', start));
    const listed = [...section.matchAll(/^- \*\*([^*]+)\*\*/gm)].map((m) => m[1]);
    expect(start).toBeGreaterThan(0);
    expect(listed).toEqual(Object.values(CHECKS));
  });
});
