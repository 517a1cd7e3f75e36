{{ config(severity='warn') }}
-- Areas of a set whose venues come from Overture that lie outside every extent landed for it (its
-- own, or a --bbox): their places were never read, so they show as empty. One row per set: how
-- many, and one of them. Land the set's own extent: python -m ingest venues --provider overture
-- --area-set NAME.
with

overture_sets as (
    select distinct area_set
    from {{ ref('area_venues') }}
    where provider = 'overture'
)

select
    areas.area_set,
    count(*) as areas_outside,
    min(areas.area_id) as example_area_id
from {{ ref('areas') }} as areas
inner join overture_sets on areas.area_set = overture_sets.area_set
where not exists (
        select 1 from {{ ref('stg_overture__extracts') }} as extracts
        where
            (extracts.area_set = areas.area_set or extracts.area_set is null)
            and areas.longitude between extracts.west and extracts.east
            and areas.latitude between extracts.south and extracts.north
    )
group by areas.area_set
