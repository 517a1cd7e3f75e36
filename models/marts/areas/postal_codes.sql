-- One row per assigned postal code: borough, neighbourhoods, centre and how many venues it has.
-- Every area stays, with or without venues (has_venues says which).
with

centres as (
    select * from {{ ref('postal_code_centres') }}
),

venue_counts as (
    select
        postal_code,
        sum(venue_count)::bigint as venue_count,
        count(*) as category_count
    from {{ ref('postal_code_category_counts') }}
    group by postal_code
)

select
    centres.postal_code,
    centres.borough,
    centres.neighbourhoods,
    centres.neighbourhood,
    centres.latitude,
    centres.longitude,
    centres.enclave_of,
    coalesce(venue_counts.venue_count, 0) as venue_count,
    coalesce(venue_counts.category_count, 0) as category_count,
    coalesce(venue_counts.venue_count, 0) > 0 as has_venues
from centres
left join venue_counts on centres.postal_code = venue_counts.postal_code
order by centres.postal_code
