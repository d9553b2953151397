import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../src/bot/config/index.ts';

// No Docker engine runs these tests; they check the deploy files' structure so they cannot
// drift from the code (a new variable missing from .env.example, a role renamed, ...).
const root = new URL('../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, root), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  env_file?: string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, Service>;
  };
  const { redis, web, worker } = compose.services;

  it('runs Redis 7 with AOF persistence and noeviction', () => {
    expect(redis?.image).toMatch(/^redis:7/);
    const command = redis?.command?.join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
  });

  it('runs web and worker roles from the same image, configured from .env', () => {
    expect(web?.environment?.FT_ROLE).toBe('web');
    expect(worker?.environment?.FT_ROLE).toBe('worker');
    // The web service acks and hands the work over; the workers answer it.
    expect(web?.environment?.FT_ANSWER_IN).toBe('worker');
    expect(worker?.environment?.FT_ANSWER_IN).toBe('worker');
    expect(web?.image).toBeDefined();
    expect(worker?.image).toBe(web?.image);
    for (const service of [web, worker]) {
      expect(service?.env_file).toBe('.env');
      expect(service?.environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(service?.depends_on?.redis?.condition).toBe('service_healthy');
    }
    expect(web?.ports).toEqual(['3000:3000']);
    expect(worker?.ports).toBeUndefined();
  });
});

describe('.env.example', () => {
  const names = read('.env.example')
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  // Read by @azure/identity, not by ftops' configuration, but worth listing.
  const AZURE_SDK = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'];

  it('lists every variable ftops reads, each once', () => {
    for (const variable of CONFIG_VARIABLES) expect(names).toContain(variable);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists nothing ftops does not read', () => {
    const known = new Set<string>([...CONFIG_VARIABLES, ...AZURE_SDK]);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('installs only production dependencies in the image it ships', () => {
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    expect(finalStage).toMatch(/^\nFROM node:\$\{NODE_VERSION\}-slim\s*$/m);
    expect(finalStage).not.toMatch(/RUN npm ci(?! --omit=dev)/);
  });

  it('runs as the node user, serves port 3000 and checks /healthz', () => {
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toMatch(/^EXPOSE 3000$/m);
    expect(finalStage).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(finalStage).toMatch(/^CMD \["node", "dist\/bot\/main\.js"\]$/m);
  });

  it('ships compiled code and no TypeScript sources or compiler', () => {
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(finalStage).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    const instructions = finalStage.split('\n').filter((l) => /^(COPY|CMD|RUN)\b/.test(l));
    expect(instructions.filter((l) => /\bsrc\b|tsx/.test(l))).toEqual([]);
  });

  it('ships manifest.yml, which the doctor reads the required scopes from', () => {
    expect(finalStage).toMatch(/^COPY .*manifest\.yml/m);
  });
});

describe('.dockerignore', () => {
  it('keeps local secrets and dependencies out of the build context', () => {
    const lines = read('.dockerignore').split('\n');
    expect(lines).toEqual(expect.arrayContaining(['.env', '.git', 'node_modules']));
    expect(lines).not.toContain('manifest.yml');
    expect(lines).not.toContain('src');
  });
});
