with

responses as (
    {{ latest_load(source('foursquare_v2', 'venue_responses'), partition_by=['area_set', 'area_id'],
        where="provider = 'foursquare_v2'") }}
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
                    '{"response": {"groups": [{"items": [{"venue": {
                        "id": "VARCHAR", "name": "VARCHAR",
                        "location": {"lat": "DOUBLE", "lng": "DOUBLE", "distance": "DOUBLE"},
                        "categories": [{"id": "VARCHAR", "name": "VARCHAR", "primary": "BOOLEAN"}]
                    }}]}]}}'
                ).response.groups,
                lambda group_: group_.items
            )
        ) as items
    from responses
),

venues as (
    select
        area_set,
        area_id,
        load_id,
        loaded_at,
        unnest(items).venue as venue,
        generate_subscripts(items, 1) as response_position
    from parsed
),

categorised as (
    select
        *,
        -- The primary category; the first if none is marked primary.
        coalesce(list_filter(venue.categories, lambda category: category.primary)[1], venue.categories[1])
            as main_category
    from venues
)

select
    area_set,
    area_id,
    venue.id as venue_id,
    venue.name as venue_name,
    main_category.name as category_name,
    main_category.id as category_id,
    venue.location.lat as latitude,
    venue.location.lng as longitude,
    venue.location.distance as distance_m,
    response_position,
    'foursquare_v2' as provider,
    load_id,
    loaded_at
from categorised
