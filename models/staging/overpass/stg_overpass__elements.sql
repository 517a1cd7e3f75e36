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
        unnest(elements) as element
    from parsed
),

tagged as (
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
        -- A value listing several ("cafe;bakery") counts by its first.
        trim(split_part(coalesce(
            {%- for key in tag_keys %}
                element.tags."{{ key }}"{% if not loop.last %},{% endif %}
            {%- endfor %}
        ), ';', 1)) as tag_value,
        coalesce(element.lat, element.center.lat) as latitude,
        coalesce(element.lon, element.center.lon) as longitude,
        centre_latitude,
        centre_longitude,
        requested_limit,
        distance_m,
        load_id,
        loaded_at
    from (
        select
            *,
            {{ haversine_m('centre_latitude', 'centre_longitude', 'coalesce(element.lat, element.center.lat)',
                'coalesce(element.lon, element.center.lon)') }} as distance_m
        from elements
    ) as located
),

-- Overpass returns every match: the requested limit keeps the nearest (ties by id).
ranked as (
    select
        *,
        {{ osm_tag_category('tagged.tag_value', 'tagged.tag_key') }} as category_name,
        row_number() over (
            partition by area_set, area_id order by distance_m asc nulls last, venue_id asc
        ) as response_position
    from tagged
)

select
    area_set,
    area_id,
    venue_id,
    venue_name,
    category_name,
    tag_key,
    tag_value,
    latitude,
    longitude,
    distance_m,
    response_position,
    'overpass' as provider,
    load_id,
    loaded_at
from ranked
where requested_limit is null or response_position <= requested_limit
