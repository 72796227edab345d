import type { Hiding } from "./noMatches";

interface Props {
  hiding: Hiding;
  /** The view tab's name, when the view's own filters are all there is. */
  viewName: string;
  onClearSearch: () => void;
  onClearFilters: () => void;
}

/** An empty table over a store that has entries: what hides them, and the way back. */
export function NoMatches({ hiding, viewName, onClearSearch, onClearFilters }: Props) {
  const { search, filters, baseChanged } = hiding;
  const byFilters = filters.length > 0 || baseChanged;
  return (
    <section className="empty no-matches" aria-label="No matching entries">
      <h2>No entries match</h2>
      {search && <p>The search “{search}” finds nothing here.</p>}
      {filters.length > 0 && (
        <p>
          {filters.length === 1 ? "The filter" : "The filters"} {filters.join(" · ")}{" "}
          {filters.length === 1 ? "leaves" : "leave"} nothing.
        </p>
      )}
      {!search && !byFilters && <p>{viewName} has no entries yet.</p>}
      <div className="empty-actions">
        {search && (
          <button
            type="button"
            className={byFilters ? undefined : "primary"}
            onClick={onClearSearch}
          >
            Clear the search
          </button>
        )}
        {byFilters && (
          <button type="button" className={search ? undefined : "primary"} onClick={onClearFilters}>
            Clear the filters
          </button>
        )}
      </div>
    </section>
  );
}
