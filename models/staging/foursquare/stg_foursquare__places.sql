with

responses as (
    {{ latest_load(source('foursquare', 'venue_responses'), partition_by=['area_set', 'area_id'],
        where="provider = 'foursquare'") }}
),

parsed as (
    select
        area_set,
        area_id,
        load_id,
        loaded_at,
        flatten(
            list_transform(
                json_transform(
                    response,
                    '[{"results": [{
                        "fsq_place_id": "VARCHAR", "name": "VARCHAR", "latitude": "DOUBLE",
                        "longitude": "DOUBLE", "distance": "DOUBLE",
                        "categories": [{"fsq_category_id": "VARCHAR", "id": "VARCHAR", "name": "VARCHAR"}]
                    }]}]'
                ),
                lambda page: page.results
            )
        ) as places
    from responses
),

places as (
    select
        area_set,
        area_id,
        load_id,
        loaded_at,
        unnest(places) as place,
        generate_subscripts(places, 1) as response_position
    from parsed
)

select
    area_set,
    area_id,
    place.fsq_place_id as venue_id,
    place.name as venue_name,
    place.categories[1].name as category_name,
    coalesce(place.categories[1].fsq_category_id, place.categories[1].id) as category_id,
    place.latitude,
    place.longitude,
    place.distance as distance_m,
    response_position,
    'foursquare' as provider,
    load_id,
    loaded_at
from places
