-- PIVOT cannot spill to disk; on one thread it needs about half the memory, and is no slower.
-- depends_on: {{ ref('area_category_counts') }}
{{ config(
    pre_hook="set threads = 1",
    post_hook=["reset threads", "{{ comment_category_columns(ref('area_category_counts'), ref('cluster_settings')) }}"],
) }}
with

chosen as (
    select area_set from {{ ref('cluster_settings') }}
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
