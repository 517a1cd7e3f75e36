-- One row per OSM element of each area's latest Overpass answer, with the tags that categorise it.
with

responses as (
    {{ latest_load(source('overpass', 'venue_responses'), partition_by='postal_code',
        where="provider = 'overpass'") }}
),

elements as (
    select
        responses.postal_code,
        responses.load_id,
        responses.loaded_at,
        (responses.request ->> 'latitude')::double as centre_latitude,
        (responses.request ->> 'longitude')::double as centre_longitude,
        (responses.request ->> 'limit')::integer as requested_limit,
        unnest(responses.response -> '$.elements[*]') as element,
        generate_subscripts(responses.response -> '$.elements[*]', 1) as response_position
    from responses
)

select
    postal_code,
    (element ->> 'type') || '/' || (element ->> 'id') as venue_id,
    element ->> '$.tags.name' as venue_name,
    element ->> '$.tags.amenity' as amenity,
    element ->> '$.tags.shop' as shop,
    element ->> '$.tags.tourism' as tourism,
    element ->> '$.tags.leisure' as leisure,
    coalesce((element ->> 'lat')::double, (element ->> '$.center.lat')::double) as latitude,
    coalesce((element ->> 'lon')::double, (element ->> '$.center.lon')::double) as longitude,
    centre_latitude,
    centre_longitude,
    requested_limit,
    response_position,
    'overpass' as provider,
    load_id,
    loaded_at
from elements
