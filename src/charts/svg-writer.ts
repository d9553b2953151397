import { CHART_FONT, INK } from './theme.ts';

/** Text escaping, coordinate rounding and the tiny SVG writer the chart is drawn with. */

export interface TextStyle {
  size: number;
  weight?: 'bold';
  anchor?: 'start' | 'middle' | 'end';
  fill?: string;
  cls?: string;
  /** Rotated 90° anticlockwise about its anchor point (a y-axis label). */
  rotate?: boolean;
  /** A white outline so it reads over grid lines and shading. */
  halo?: boolean;
}

export function textEl(x: number, y: number, s: string, t: TextStyle): string {
  const attrs = [
    t.cls ? `class="${t.cls}"` : '',
    `x="${r(x)}"`,
    `y="${r(y)}"`,
    `font-size="${t.size}"`,
    t.weight ? `font-weight="${t.weight}"` : '',
    t.anchor && t.anchor !== 'start' ? `text-anchor="${t.anchor}"` : '',
    `fill="${t.fill ?? INK}"`,
    t.rotate ? `transform="rotate(-90 ${r(x)} ${r(y)})"` : '',
    t.halo ? 'stroke="#ffffff" stroke-width="3" paint-order="stroke"' : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${escapeXml(s)}</text>`;
}

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] as string,
  );
}

/** Rounds a coordinate to 0.1 px: smaller SVG, the same picture. */
export function r(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A tiny SVG writer: elements in order, clip paths gathered into one <defs>. */
export class Svg {
  private readonly body: string[] = [];
  private readonly defs: string[] = [];
  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}
  raw(s: string): void {
    this.body.push(s);
  }
  open(tag: string): void {
    this.body.push(tag);
  }
  close(tag: string): void {
    this.body.push(tag);
  }
  clip(id: string, x: number, y: number, w: number, h: number): void {
    this.defs.push(
      `<clipPath id="${id}"><rect x="${r(x)}" y="${r(y - 1)}" width="${r(w)}" height="${r(h + 2)}"/></clipPath>`,
    );
  }
  text(x: number, y: number, s: string, t: TextStyle): void {
    this.body.push(textEl(x, y, s, t));
  }
  line(x1: number, y1: number, x2: number, y2: number, a: { stroke: string }): void {
    this.body.push(
      `<line x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}" stroke="${a.stroke}" stroke-width="1"/>`,
    );
  }
  rect(x: number, y: number, w: number, h: number, a: { fill: string; stroke?: string }): void {
    this.body.push(
      `<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" fill="${a.fill}"${a.stroke ? ` stroke="${a.stroke}"` : ''}/>`,
    );
  }
  done(): string {
    const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" font-family="${CHART_FONT}">`;
    const bg = `<rect width="${this.width}" height="${this.height}" fill="#ffffff"/>`;
    const defs = this.defs.length > 0 ? `<defs>${this.defs.join('')}</defs>` : '';
    return `${head}${defs}${bg}${this.body.join('')}</svg>`;
  }
}
