-- One row per venue of each area's latest v2 venues/explore response, in response order.
with

responses as (
    {{ latest_load(source('foursquare_v2', 'venue_responses'), partition_by='postal_code',
        where="provider = 'foursquare_v2'") }}
),

items as (
    select
        responses.postal_code,
        responses.load_id,
        responses.loaded_at,
        unnest(responses.response -> '$.response.groups[*].items[*]') as item,
        generate_subscripts(responses.response -> '$.response.groups[*].items[*]', 1) as response_position
    from responses
),

categories as (
    select
        postal_code,
        response_position,
        unnest(item -> '$.venue.categories[*]') as category,
        generate_subscripts(item -> '$.venue.categories[*]', 1) as category_position
    from items
),

primary_categories as (
    select
        postal_code,
        response_position,
        category ->> 'name' as category_name,
        category ->> 'id' as category_id
    from categories
    qualify row_number() over (
            partition by postal_code, response_position
            order by coalesce((category ->> 'primary')::boolean, false) desc, category_position asc
        ) = 1
)

select
    items.postal_code,
    items.item ->> '$.venue.id' as venue_id,
    items.item ->> '$.venue.name' as venue_name,
    primary_categories.category_name,
    primary_categories.category_id,
    (items.item ->> '$.venue.location.lat')::double as latitude,
    (items.item ->> '$.venue.location.lng')::double as longitude,
    (items.item ->> '$.venue.location.distance')::double as distance_m,
    items.response_position,
    'foursquare_v2' as provider,
    items.load_id,
    items.loaded_at
from items
left join primary_categories
    on
        items.postal_code = primary_categories.postal_code
        and items.response_position = primary_categories.response_position
