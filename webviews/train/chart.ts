// Inline SVG line charts for the training page without a chart library: scales a chart's series into a
// width × height box (x: 0..max steps, y: the fixed range or the data's, padded) and returns the path data
// and tick labels. Pure (no DOM), so the geometry is unit-tested; webviews/train/main.ts draws it.
import type { Chart } from './messages';

export interface ChartGeometry {
  readonly paths: readonly { readonly tone: string; readonly name: string; readonly d: string }[];
  readonly yTicks: readonly { readonly y: number; readonly label: string }[];
  readonly xTicks: readonly { readonly x: number; readonly label: string }[];
}

/** Margins of the plot area inside the SVG (left for y labels, bottom for x labels). */
export const MARGIN = { left: 44, right: 8, top: 8, bottom: 18 } as const;

function label(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2).replace(/\.?0+$/, '');
  if (a >= 0.001) return v.toPrecision(2);
  return v.toExponential(1);
}

export function chartGeometry(chart: Chart, maxSteps: number, width: number, height: number): ChartGeometry {
  const values = chart.series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  let [lo, hi] = chart.yRange ?? [Math.min(...values), Math.max(...values)];
  if (!values.length && !chart.yRange) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  if (!chart.yRange) {
    const pad = (hi - lo) * 0.05;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const w = width - MARGIN.left - MARGIN.right;
  const h = height - MARGIN.top - MARGIN.bottom;
  const steps = Math.max(1, maxSteps);
  const x = (step: number) => MARGIN.left + (Math.min(step, steps) / steps) * w;
  const y = (v: number) => MARGIN.top + (1 - (v - lo) / (hi - lo)) * h;
  const r = (n: number) => Math.round(n * 10) / 10;
  const paths = chart.series.map((s) => {
    let d = '';
    let pen = false;
    for (const [step, v] of s.points) {
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${r(x(step))} ${r(y(v))}`;
      pen = true;
    }
    return { tone: s.tone, name: s.name, d };
  });
  const yTicks = [0, 0.5, 1].map((f) => ({ y: r(y(lo + f * (hi - lo))), label: label(lo + f * (hi - lo)) }));
  const xTicks = [0, 0.5, 1].map((f) => ({ x: r(x(f * steps)), label: String(Math.round(f * steps)) }));
  return { paths, yTicks, xTicks };
}
