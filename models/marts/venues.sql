-- One row per area and venue, from the chosen provider, in response order. A venue listed twice
-- for one area (a repeated page) counts once, at its first position.
select
    postal_code,
    venue_id,
    venue_name as name,
    category_name as category,
    latitude,
    longitude,
    distance_m,
    response_position,
    provider
from {{ ref('int_venues_unioned') }}
qualify row_number() over (partition by postal_code, venue_id order by response_position asc) = 1
order by postal_code, response_position
