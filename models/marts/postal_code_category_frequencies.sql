-- The one-hot pivot: one row per area, one column per category (named in venue_categories)
-- holding that category's share of the area's venues. Built with DuckDB's PIVOT, whose columns
-- come sorted by name. Areas without venues keep their row, with zeros and venue_count 0.
-- PIVOT cannot spill to disk; on one thread it needs about half the memory, and is no slower.
-- Each category column is described by a comment (macro comment_category_columns).
-- depends_on: {{ ref('venue_categories') }}
{{ config(
    pre_hook="set threads = 1",
    post_hook=["reset threads", "{{ comment_category_columns(ref('venue_categories')) }}"],
) }}
with

areas as (
    select
        postal_code,
        venue_count
    from {{ ref('postal_codes') }}
),

pivot_input as (
    select
        postal_code,
        column_name,
        frequency
    from {{ ref('postal_code_category_counts') }}
    union all
    -- A placeholder column, so that PIVOT has a column even when no area has venues.
    select
        null as postal_code,
        '_no_category' as column_name,
        null as frequency
),

pivoted as (
    pivot pivot_input on column_name using first(frequency)
    group by postal_code
)

select
    areas.postal_code,
    areas.venue_count,
    coalesce(columns(pivoted.* exclude (postal_code, _no_category)), 0)  -- noqa: RF02
from areas
left join pivoted on areas.postal_code = pivoted.postal_code
order by areas.postal_code
