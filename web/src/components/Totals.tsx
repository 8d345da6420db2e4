import { formatHours, formatPct, formatUsd } from '../format';
import type { CostReport } from '../types';

/** The range's money and hours; idle is cost paid for that no job used (0 under a team or model filter). */
export function Totals({ totals, filtered }: { totals: CostReport['totals']; filtered: boolean }) {
  const idleShare = totals.total_usd > 0 ? (totals.unallocated_usd / totals.total_usd) * 100 : 0;
  const items = [
    { id: 'total', label: 'Total cost', value: formatUsd(totals.total_usd) },
    { id: 'allocated', label: 'Allocated to jobs', value: formatUsd(totals.allocated_usd) },
    { id: 'idle', label: 'Idle (paid, unused)', value: formatUsd(totals.unallocated_usd) },
    { id: 'idle-share', label: 'Idle share', value: formatPct(idleShare) },
    { id: 'gpu-hours', label: 'GPU-hours used', value: formatHours(totals.gpu_hours) },
    { id: 'unpriced', label: 'Unpriced GPU-hours', value: formatHours(totals.unpriced_gpu_hours) },
  ];
  return (
    <>
      <dl class="totals" data-testid="totals">
        {items.map((item) => (
          <div class="total" key={item.id}>
            <dt>{item.label}</dt>
            <dd data-testid={`total-${item.id}`}>{item.value}</dd>
          </div>
        ))}
      </dl>
      <p class="hint">
        {filtered
          ? 'Idle cost belongs to no team or model, so it is 0 while a team or model filter is on.'
          : 'Unpriced GPU-hours ran on days or GPU types without a cost snapshot yet: used, not billed so far.'}
      </p>
    </>
  );
}
