with

inside as (
    select
        area_set,
        area_id,
        venue_id
    from {{ ref('area_venues') }}
    where assigned_by = 'inside_polygon'
)

select
    one_area.area_set,
    one_area.area_id,
    other_area.area_id as other_area_id,
    count(*) as shared_venue_count
from inside as one_area
inner join inside as other_area
    on
        one_area.area_set = other_area.area_set
        and one_area.venue_id = other_area.venue_id
        and one_area.area_id < other_area.area_id
group by one_area.area_set, one_area.area_id, other_area.area_id
order by one_area.area_set, one_area.area_id, other_area_id
