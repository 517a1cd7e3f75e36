-- OSM elements with a readable category and their distance from the area's centre; the
-- requested limit keeps the nearest ones (Overpass itself returns every match).
--   * The category comes from the first of the tags var osm_tag_keys lists (the staging model
--     picks it); a value listing several ("cafe;bakery") counts by its first.
--   * The seed osm_tag_categories names it ("cafe" -> "Café"); an unlisted value is named by
--     itself ("fast_food" -> "Fast Food").
with

elements as (
    select * from {{ ref('stg_overpass__elements') }}
),

tag_categories as (
    select * from {{ ref('osm_tag_categories') }}
),

tagged as (
    select
        *,
        trim(split_part(tag_value, ';', 1)) as first_tag_value,
        {{ haversine_m('centre_latitude', 'centre_longitude', 'latitude', 'longitude') }} as distance_m
    from elements
),

categorised as (
    select
        tagged.*,
        coalesce(tag_categories.category, {{ readable_category('tagged.first_tag_value') }}) as category_name
    from tagged
    left join tag_categories
        on
            tagged.tag_key = tag_categories.tag_key
            and tagged.first_tag_value = tag_categories.tag_value
),

ranked as (
    select
        *,
        row_number() over (
            partition by area_set, area_id order by distance_m asc nulls last, venue_id asc
        ) as distance_rank
    from categorised
)

select
    area_set,
    area_id,
    venue_id,
    venue_name,
    category_name,
    tag_key,
    first_tag_value as tag_value,
    latitude,
    longitude,
    distance_m,
    distance_rank as response_position,
    provider,
    load_id,
    loaded_at
from ranked
where requested_limit is null or distance_rank <= requested_limit
