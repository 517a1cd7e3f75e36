-- The one-hot pivot of the chosen area set (var area_set, default the postal set): one row per
-- area, one column per category of the set (named in area_set_categories) holding that category's
-- share of the area's venues. Built with DuckDB's PIVOT, whose columns come sorted by name. Areas
-- without venues keep their row, with zeros and venue_count 0.
-- PIVOT cannot spill to disk; on one thread it needs about half the memory, and is no slower.
-- Each category column is described by a comment (macro comment_category_columns).
-- depends_on: {{ ref('area_set_categories') }}
{{ config(
    pre_hook="set threads = 1",
    post_hook=["reset threads", "{{ comment_category_columns(ref('area_set_categories')) }}"],
) }}
with

chosen as (
    select area_set from {{ ref('int_area_set_chosen') }}
),

areas as (
    select
        area_set,
        area_id,
        venue_count
    from {{ ref('areas') }}
    where area_set in (select chosen.area_set from chosen)
),

pivot_input as (
    select
        area_id,
        column_name,
        frequency
    from {{ ref('area_category_counts') }}
    where area_set in (select chosen.area_set from chosen)
    union all
    -- A placeholder column, so that PIVOT has a column even when no area has venues.
    select
        null as area_id,
        '_no_category' as column_name,
        null as frequency
),

pivoted as (
    pivot pivot_input on column_name using first(frequency)
    group by area_id
)

select
    areas.area_set,
    areas.area_id,
    areas.venue_count,
    coalesce(columns(pivoted.* exclude (area_id, _no_category)), 0)  -- noqa: RF02
from areas
left join pivoted on areas.area_id = pivoted.area_id
order by areas.area_id
