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
    from {{ ref('venues') }} as venues
    inner join areas on venues.postal_code = areas.postal_code
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
