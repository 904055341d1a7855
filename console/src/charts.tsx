// Tiny inline SVG charts: bars per minute and a stacked bar of task states. No chart library.
import type { TaskState } from "./types.js";
import { TASK_STATES } from "./types.js";

export function Bars({ values, label, tone = "accent" }: { values: number[]; label: string; tone?: "accent" | "danger" }) {
  const max = Math.max(1, ...values);
  const w = 4;
  const gap = 1;
  const h = 48;
  const width = values.length * (w + gap);
  return (
    <svg class={`chart chart-${tone}`} viewBox={`0 0 ${width} ${h}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <title>{label}</title>
      <line x1="0" x2={width} y1={h - 0.5} y2={h - 0.5} class="axis" />
      {values.map((v, i) => {
        const bh = v === 0 ? 0 : Math.max(2, (v / max) * (h - 4));
        return <rect key={i} x={i * (w + gap)} y={h - bh} width={w} height={bh} rx="1"><title>{`${values.length - i} min ago: ${v}`}</title></rect>;
      })}
    </svg>
  );
}

export function StateBar({ counts }: { counts: Record<TaskState, number> }) {
  const total = TASK_STATES.reduce((n, s) => n + counts[s], 0);
  let x = 0;
  return (
    <div>
      <svg class="statebar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="tasks by state">
        <rect x="0" y="0" width="100" height="8" class="statebar-empty" />
        {total > 0 && TASK_STATES.map((s) => {
          const w = (counts[s] / total) * 100;
          const r = <rect key={s} x={x} y="0" width={w} height="8" class={`fill-${s}`} />;
          x += w;
          return r;
        })}
      </svg>
      <ul class="legend">
        {TASK_STATES.map((s) => (
          <li key={s}><a href={`#/tasks?state=${s}`}><i class={`dot fill-${s}`} />{s} <b data-count={s}>{counts[s]}</b></a></li>
        ))}
      </ul>
    </div>
  );
}
