-- Venues per borough: areas, areas without venues, venues, and the most common category.
with

areas as (
    select * from {{ ref('postal_codes') }}
),

borough_categories as (
    select
        areas.borough,
        venues.category,
        count(*) as venue_count
    from {{ ref('area_venues') }} as venues
    inner join {{ ref('areas') }} as postal_areas
        on
            venues.area_set = postal_areas.area_set
            and venues.area_id = postal_areas.area_id
            and postal_areas.is_postal
    inner join areas on venues.area_id = areas.postal_code
    group by areas.borough, venues.category
),

top_category as (
    select
        borough,
        category as most_common_category
    from borough_categories
    qualify row_number() over (partition by borough order by venue_count desc, category asc) = 1
)

select
    areas.borough,
    count(*) as postal_code_count,
    count(*) filter (where not areas.has_venues) as postal_codes_without_venues,
    sum(areas.venue_count) as venue_count,
    round(avg(areas.venue_count), 1) as venues_per_postal_code,
    top_category.most_common_category
from areas
left join top_category on areas.borough = top_category.borough
group by areas.borough, top_category.most_common_category
order by venue_count desc, areas.borough asc
