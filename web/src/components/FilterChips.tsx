import { changeView, useApp } from '../view';

/** The filters a click in a breakdown set, each with a button that removes it. */
export function FilterChips() {
  const { view, route, teamNames } = useApp();
  const chips = [
    view.team_id && {
      label: `Team: ${teamNames.get(view.team_id) ?? view.team_id}`,
      clear: () => changeView(route, { ...view, team_id: undefined }),
    },
    view.model_name && {
      label: `Model: ${view.model_name}`,
      clear: () => changeView(route, { ...view, model_name: undefined }),
    },
  ].filter((chip): chip is { label: string; clear: () => void } => !!chip);
  if (!chips.length) return null;
  return (
    <div class="chips" role="group" aria-label="Active filters">
      <span>Filtered to</span>
      {chips.map((chip) => (
        <span class="chip" key={chip.label}>
          {chip.label}
          <button type="button" onClick={chip.clear} aria-label={`Remove filter ${chip.label}`}>
            ✕
          </button>
        </span>
      ))}
    </div>
  );
}
