-- One row per assigned postal code: borough, neighbourhoods, centre and how many venues it has.
-- Every area stays, with or without venues (has_venues says which).
with

located as (
    select * from {{ ref('int_postal_codes_located') }}
),

venue_counts as (
    select
        postal_code,
        sum(venue_count) as venue_count,
        count(*) as category_count
    from {{ ref('postal_code_category_counts') }}
    group by postal_code
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
