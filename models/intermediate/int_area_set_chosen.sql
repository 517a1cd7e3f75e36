-- The area set the clusters, the map and the report are built for: var area_set, else the postal
-- set, else the only set there is. One row; a set that does not exist (or no set at all) fails
-- the test on this model, which names the sets there are.
{%- set wanted = var('area_set', none) %}
with

sets as (
    select
        area_set,
        bool_or(is_postal) as is_postal
    from {{ ref('int_areas_unioned') }}
    group by area_set
),

chosen as (
    select
        {%- if wanted %}
            '{{ wanted }}' as area_set,
            'var area_set' as chosen_by
        {%- else %}
            coalesce(
                (
                    select min(sets.area_set) from sets
                    where sets.is_postal
                ),
                (
                    select min(sets.area_set) from sets
                    having count(*) = 1
                )
            ) as area_set,
            case
                when (
                    select count(*) from sets
                    where sets.is_postal
                ) > 0 then 'the postal set'
                else 'the only set'
            end as chosen_by
        {%- endif %}
)

select
    chosen.area_set,
    chosen.chosen_by,
    coalesce(chosen.area_set in (select sets.area_set from sets), false) as is_known,
    (select list(sets.area_set order by sets.area_set) from sets) as known_sets
from chosen
