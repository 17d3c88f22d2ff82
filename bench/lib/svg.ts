/**
 * A hand-written SVG line chart with two series on two y axes (time on the left, peak memory on the
 * right) against a numeric x axis, with min-max whiskers and each series' least-squares line.
 */
export interface ChartPoint {
  readonly x: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ChartSeries {
  readonly label: string;
  readonly unit: string;
  readonly color: string;
  readonly points: readonly ChartPoint[];
  readonly fit: { readonly slope: number; readonly intercept: number };
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly left: ChartSeries;
  readonly right: ChartSeries;
  /** Optional dashed horizontal reference on the left axis (e.g. a target). */
  readonly leftReference?: { readonly value: number; readonly label: string };
}

const W = 720;
const H = 420;
const M = { top: 56, right: 80, bottom: 64, left: 80 };

function niceMax(value: number): number {
  const exponent = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * exponent >= value) return step * exponent;
  return 10 * exponent;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 2 : 1);
}

export function renderChart(spec: ChartSpec): string {
  const xs = [...spec.left.points, ...spec.right.points].map((p) => p.x);
  const xMax = niceMax(Math.max(...xs));
  const leftMax = niceMax(Math.max(...spec.left.points.map((p) => p.max), spec.leftReference?.value ?? 0) * 1.1);
  const rightMax = niceMax(Math.max(...spec.right.points.map((p) => p.max)) * 1.1);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const sx = (x: number): number => M.left + (x / xMax) * plotW;
  const sy = (y: number, max: number): number => M.top + plotH - (y / max) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escape(spec.title)}</text>`);
  // Grid and ticks: 5 steps on each axis.
  for (let i = 0; i <= 5; i++) {
    const y = M.top + plotH - (i / 5) * plotH;
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 8}" y="${y + 4}" text-anchor="end" fill="${spec.left.color}">${fmt((leftMax * i) / 5)}</text>`);
    out.push(`<text x="${M.left + plotW + 8}" y="${y + 4}" fill="${spec.right.color}">${fmt((rightMax * i) / 5)}</text>`);
  }
  const xTicks = [...new Set([0, ...xs])].sort((a, b) => a - b);
  for (const x of xTicks) {
    out.push(`<line x1="${sx(x)}" y1="${M.top + plotH}" x2="${sx(x)}" y2="${M.top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${sx(x)}" y="${M.top + plotH + 18}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + plotH}" stroke="${spec.left.color}" stroke-width="1.5"/>`);
  out.push(`<line x1="${M.left + plotW}" y1="${M.top}" x2="${M.left + plotW}" y2="${M.top + plotH}" stroke="${spec.right.color}" stroke-width="1.5"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top + plotH}" x2="${M.left + plotW}" y2="${M.top + plotH}" stroke="#333" stroke-width="1.5"/>`);
  out.push(`<text x="${M.left + plotW / 2}" y="${H - 24}" text-anchor="middle">${escape(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(20 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="${spec.left.color}">${escape(`${spec.left.label} (${spec.left.unit})`)}</text>`);
  out.push(`<text transform="translate(${W - 18} ${M.top + plotH / 2}) rotate(90)" text-anchor="middle" fill="${spec.right.color}">${escape(`${spec.right.label} (${spec.right.unit})`)}</text>`);
  if (spec.leftReference) {
    const y = sy(spec.leftReference.value, leftMax);
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + plotW}" y2="${y}" stroke="${spec.left.color}" stroke-dasharray="2 4" opacity="0.7"/>`);
    out.push(`<text x="${M.left + 6}" y="${y - 5}" fill="${spec.left.color}" font-size="11">${escape(spec.leftReference.label)}</text>`);
  }
  const series = (s: ChartSeries, max: number, marker: "circle" | "square"): void => {
    const fitY = (x: number): number => sy(Math.max(0, s.fit.intercept + s.fit.slope * x), max);
    out.push(`<line x1="${sx(0)}" y1="${fitY(0)}" x2="${sx(xMax)}" y2="${fitY(xMax)}" stroke="${s.color}" stroke-dasharray="6 4" opacity="0.6"/>`);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map((p) => `${sx(p.x)},${sy(p.median, max)}`).join(" ")}"/>`);
    for (const p of s.points) {
      out.push(`<line x1="${sx(p.x)}" y1="${sy(p.min, max)}" x2="${sx(p.x)}" y2="${sy(p.max, max)}" stroke="${s.color}" stroke-width="1.5"/>`);
      if (marker === "circle") out.push(`<circle cx="${sx(p.x)}" cy="${sy(p.median, max)}" r="4" fill="${s.color}"/>`);
      else out.push(`<rect x="${sx(p.x) - 4}" y="${sy(p.median, max) - 4}" width="8" height="8" fill="${s.color}"/>`);
    }
  };
  series(spec.left, leftMax, "circle");
  series(spec.right, rightMax, "square");
  // Legend.
  const legend = (s: ChartSeries, y: number, marker: string): void => {
    out.push(`<line x1="${M.left + 12}" y1="${y}" x2="${M.left + 36}" y2="${y}" stroke="${s.color}" stroke-width="2"/>${marker}`);
    out.push(
      `<text x="${M.left + 44}" y="${y + 4}">${escape(`${s.label}: median (min-max); slope ${s.fit.slope.toFixed(s.fit.slope < 10 ? 2 : 1)} ${s.unit}/stack, intercept ${s.fit.intercept.toFixed(1)} ${s.unit}`)}</text>`,
    );
  };
  legend(spec.left, M.top + 10, `<circle cx="${M.left + 24}" cy="${M.top + 10}" r="4" fill="${spec.left.color}"/>`);
  legend(spec.right, M.top + 28, `<rect x="${M.left + 20}" y="${M.top + 24}" width="8" height="8" fill="${spec.right.color}"/>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
