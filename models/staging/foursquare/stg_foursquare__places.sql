-- One row per place of each area's latest Places API search, pages in order.
with

responses as (
    {{ latest_load(source('foursquare', 'venue_responses'), partition_by='postal_code',
        where="provider = 'foursquare'") }}
),

places as (
    select
        responses.postal_code,
        responses.load_id,
        responses.loaded_at,
        unnest(responses.response -> '$[*].results[*]') as place,
        generate_subscripts(responses.response -> '$[*].results[*]', 1) as response_position
    from responses
)

select
    postal_code,
    place ->> 'fsq_place_id' as venue_id,
    place ->> 'name' as venue_name,
    place ->> '$.categories[0].name' as category_name,
    coalesce(place ->> '$.categories[0].fsq_category_id', place ->> '$.categories[0].id') as category_id,
    (place ->> 'latitude')::double as latitude,
    (place ->> 'longitude')::double as longitude,
    (place ->> 'distance')::double as distance_m,
    response_position,
    'foursquare' as provider,
    load_id,
    loaded_at
from places
