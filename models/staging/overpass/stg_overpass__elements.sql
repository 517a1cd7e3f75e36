-- One row per OSM element of each area's latest Overpass answer, with the tag that categorises it:
-- the first of var osm_tag_keys (amenity, shop, tourism, leisure) the element has.
-- The JSON is read once per answer into typed structs (json_transform), then unnested.
{{ config(materialized='table') }}
{%- set tag_keys = var('osm_tag_keys') %}
{%- set tag_types = ['"name": "VARCHAR"'] %}
{%- for key in tag_keys %}{% do tag_types.append('"' ~ key ~ '": "VARCHAR"') %}{% endfor %}
with

responses as (
    {{ latest_load(source('overpass', 'venue_responses'), partition_by=['area_set', 'area_id'],
        where="provider = 'overpass'") }}
),

parsed as (
    select
        area_set,
        area_id,
        load_id,
        loaded_at,
        (request ->> 'latitude')::double as centre_latitude,
        (request ->> 'longitude')::double as centre_longitude,
        (request ->> 'limit')::integer as requested_limit,
        json_transform(
            response,
            '{"elements": [{
                "type": "VARCHAR", "id": "VARCHAR", "lat": "DOUBLE", "lon": "DOUBLE",
                "center": {"lat": "DOUBLE", "lon": "DOUBLE"},
                "tags": { {{- tag_types | join(', ') -}} }
            }]}'
        ).elements as elements
    from responses
),

elements as (
    select
        area_set,
        area_id,
        load_id,
        loaded_at,
        centre_latitude,
        centre_longitude,
        requested_limit,
        unnest(elements) as element,
        generate_subscripts(elements, 1) as response_position
    from parsed
)

select
    area_set,
    area_id,
    element.type || '/' || element.id as venue_id,
    element.tags.name as venue_name,
    case
        {%- for key in tag_keys %}
            when element.tags."{{ key }}" is not null then '{{ key }}'
        {%- endfor %}
    end as tag_key,
    coalesce(
        {%- for key in tag_keys %}
            element.tags."{{ key }}"{% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as tag_value,
    coalesce(element.lat, element.center.lat) as latitude,
    coalesce(element.lon, element.center.lon) as longitude,
    centre_latitude,
    centre_longitude,
    requested_limit,
    response_position,
    'overpass' as provider,
    load_id,
    loaded_at
from elements
