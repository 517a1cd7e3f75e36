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

-- Overpass returns every match: the requested limit keeps the nearest (ties by id). The seed
-- osm_tag_categories names a tag ("cafe" -> "Café"), else the value names itself ("fast_food" ->
-- "Fast Food").
ranked as (
    select
        tagged.*,
        coalesce(tag_categories.category, {{ readable_category('tagged.tag_value') }}) as category_name,
        row_number() over (
            partition by tagged.area_set, tagged.area_id order by tagged.distance_m asc nulls last, tagged.venue_id asc
        ) as response_position
    from tagged
    left join {{ ref('osm_tag_categories') }} as tag_categories
        on
            tagged.tag_key = tag_categories.tag_key
            and tagged.tag_value = tag_categories.tag_value
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
