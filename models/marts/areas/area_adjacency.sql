-- Which polygon areas of the chosen set share a border (for the spatial clustering method, which
-- keeps segments contiguous). Built only when that method is asked for (cluster_settings); empty
-- otherwise, as the spatial self-join costs time at large sizes.
with

chosen as (
    select area_set from {{ ref('int_area_set_chosen') }}
),

polygons as (
    select
        area_id,
        st_geomfromwkb(geometry) as shape
    from {{ ref('areas') }}
    where area_set in (select chosen.area_set from chosen) and geometry_kind = 'polygon'
)

select
    one_area.area_id,
    other_area.area_id as other_area_id
from polygons as one_area
inner join polygons as other_area
    on st_intersects(one_area.shape, other_area.shape)
where
    one_area.area_id < other_area.area_id
    {%- if 'spatial' not in selection_methods() %}
        and false
    {%- endif %}
