-- One row per area and venue, from the chosen provider, in response order.
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
order by postal_code, response_position
