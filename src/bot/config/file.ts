import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { expand, isAtKey, issueMessage } from './file-issues.ts';
import { resolve } from './file-resolve.ts';
import { configFileSchema } from './file-schema.ts';
import type { FileDefaults, FileProblem, LoadedFile, Path } from './file-types.ts';
import { parseYaml } from './file-yaml.ts';
import { shown } from './parsers.ts';

export { defaultScope } from './file-resource.ts';
export type { FileDefaults, FileProblem, LoadedFile } from './file-types.ts';

/**
 * Reading the FT_CONFIG file: YAML (or JSON), validated as a whole, its secrets read from the
 * variables or files it names, and its rules checked against each other (a grant naming an
 * unknown resource, two resources on one endpoint, an action no one could ever approve). Every
 * problem comes back at once, each with its line and its path in the file.
 */

/** Reads and checks the file at `path`; returns its resources and rules, or the problems. */
export function readConfigFile(
  path: string,
  env: NodeJS.ProcessEnv,
  defaults: FileDefaults,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): { ok: true; value: LoadedFile } | { ok: false; problems: FileProblem[] } {
  const label = basename(path);
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problems: [
        `FT_CONFIG: cannot read ${shown(path)} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`,
      ],
    };
  }
  const yaml = parseYaml(text, label);
  if (!yaml.ok) return yaml;
  const { where } = yaml.value;

  const parsed = configFileSchema.safeParse(yaml.value.data);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues
        .flatMap((i) => expand(i, []))
        .map((i) => `${where(i.path, isAtKey(i))}: ${issueMessage(i)}`),
    };
  }
  const problems: FileProblem[] = [];
  const report = (p: Path, text: string) => problems.push(`${where(p)}: ${text}`);
  const value = resolve(parsed.data, env, defaults, report, label);
  // In the order of the file, as an editor would walk through them.
  const lineOf = (p: string) => Number(/ line (\d+)/.exec(p)?.[1] ?? 0);
  problems.sort((a, b) => lineOf(a) - lineOf(b));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
