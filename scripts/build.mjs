// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json) and copies the files
// that are not TypeScript (Lua scripts, the sandbox page) beside the compiled code.
// `--if-stale` builds only when dist/ is missing or older than the sources, so `npm start` can
// run it first and stay one command; where there are no sources (the runtime image) it does
// nothing.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const stamp = join(dist, '.built');
const inputs = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) =>
  join(root, f),
);

/** Every file under `dir`, recursively. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function newestSource() {
  return Math.max(
    ...files(src).map((f) => statSync(f).mtimeMs),
    ...inputs.filter(existsSync).map((f) => statSync(f).mtimeMs),
  );
}

if (process.argv.includes('--if-stale')) {
  if (!existsSync(src)) process.exit(0);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) process.exit(0);
  console.error('ftops: dist/ is missing or older than src/; building first (npm run build)');
}

const started = Date.now();
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
let copied = 0;
for (const file of files(src)) {
  if (file.endsWith('.ts')) continue;
  const target = join(dist, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
  copied++;
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.error(
  `ftops: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${copied} other files copied)`,
);
