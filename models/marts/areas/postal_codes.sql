with

located as (
    select * from {{ ref('int_postal_codes_located') }}
    where is_on_page
),

venue_counts as (
    select
        area_id as postal_code,
        sum(venue_count)::bigint as venue_count,
        count(*) as category_count
    from {{ ref('area_category_counts') }}
    where area_set in (select located.area_set from located)
    group by area_id
)

select
    located.postal_code,
    located.borough,
    located.neighbourhoods,
    located.neighbourhood,
    located.latitude,
    located.longitude,
    located.enclave_of,
    coalesce(venue_counts.venue_count, 0) as venue_count,
    coalesce(venue_counts.category_count, 0) as category_count,
    coalesce(venue_counts.venue_count, 0) > 0 as has_venues
from located
left join venue_counts on located.postal_code = venue_counts.postal_code
order by located.postal_code
