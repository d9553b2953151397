import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { FileProblem, Path } from './file-types.ts';
import { shown } from './parsers.ts';

/**
 * Parsing the FT_CONFIG text as YAML (or JSON) with the line of every node kept, so a problem
 * found later can name the line it comes from.
 */

/** Keys a plain JavaScript object cannot hold as data. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The YAML parser, loaded on the first FT_CONFIG file: a process configured from the
 * environment alone (most workers) never holds its ~70 modules.
 */
function loadYaml(): typeof Yaml {
  return createRequire(import.meta.url)('yaml') as typeof Yaml;
}

/** The parsed file: its plain value, and where a path in it is written. */
export interface ParsedYaml {
  data: unknown;
  /** The label, line and dotted path of `p`; `atKey` points at a bad key rather than its value. */
  where: (p: Path, atKey?: boolean) => string;
}

/** Parses `text` (from the file `label`); returns the value, or the problems with their lines. */
export function parseYaml(
  text: string,
  label: string,
): { ok: true; value: ParsedYaml } | { ok: false; problems: FileProblem[] } {
  const { isDocument, isMap, isPair, isScalar, LineCounter, parseDocument, visit } = loadYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return `${label} line ${at.line}, column ${at.col}: ${firstLine(e.message)}`;
      }),
    };
  }
  const where = (p: Path, atKey = false): string => {
    let node: unknown = isDocument(doc) ? doc.getIn(p as PropertyKey[], true) : undefined;
    if (atKey) {
      // A bad key: point at the key itself, not at its value below it.
      const parent = doc.getIn(p.slice(0, -1) as PropertyKey[], true);
      const pair = isMap(parent)
        ? parent.items.find((item) => isScalar(item.key) && item.key.value === p.at(-1))
        : undefined;
      if (pair) node = pair.key;
    }
    // A missing key has no node: point at its parent instead.
    for (let cut = p.length - 1; node === undefined && cut >= 0; cut--)
      node = doc.getIn(p.slice(0, cut) as PropertyKey[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    const line = range ? lines.linePos(range[0]).line : undefined;
    const dotted = p.map(String).join('.');
    return `${label}${line ? ` line ${line}` : ''}${dotted ? ` (${dotted})` : ''}`;
  };

  // A key JavaScript objects treat as special would vanish on the way to a plain object (and
  // a resource named so with it): refused where it is written.
  const special: FileProblem[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && RESERVED_KEYS.has(String(pair.key.value))) {
        const range = pair.key.range;
        const line = range ? ` line ${lines.linePos(range[0]).line}` : '';
        special.push(
          `${label}${line}: ${shown(String(pair.key.value))} cannot be used as a name or key`,
        );
      }
    },
  });
  if (special.length > 0) return { ok: false, problems: special };
  return { ok: true, value: { data: doc.toJS(), where } };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
