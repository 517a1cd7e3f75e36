-- The places of the points provider within `venue_radius_m` of each area's centre, the nearest
-- `venue_limit` of them, ties broken by id. A bounding box narrows the join before the
-- great-circle distance is computed.
{%- set radius = var('venue_radius_m') | float %}
{%- set metres_per_degree = 111320.0 %}
with

centres as (
    select
        postal_code,
        latitude,
        longitude
    from {{ ref('int_postal_codes_located') }}
    where latitude is not null and longitude is not null
),

places as (
    select * from {{ ref('stg_points__places') }}
    where problem is null
),

tag_categories as (
    select
        tag_value,
        category
    from {{ ref('osm_tag_categories') }}
    qualify row_number() over (
            partition by tag_value
            order by list_position({{ var('osm_tag_keys') }}, tag_key) asc
        ) = 1
),

nearby as (
    select
        centres.postal_code,
        places.venue_id,
        places.venue_name,
        places.category_name,
        places.latitude,
        places.longitude,
        places.provider,
        places.load_id,
        places.loaded_at,
        {{ haversine_m('centres.latitude', 'centres.longitude', 'places.latitude', 'places.longitude') }}
            as distance_m
    from centres
    inner join places
        on
            places.latitude between centres.latitude - {{ radius / metres_per_degree * 1.01 }}
            and centres.latitude + {{ radius / metres_per_degree * 1.01 }}
            and places.longitude between
            centres.longitude - {{ radius / metres_per_degree * 1.01 }} / cos(radians(centres.latitude))
            and centres.longitude + {{ radius / metres_per_degree * 1.01 }} / cos(radians(centres.latitude))
),

ranked as (
    select
        *,
        row_number() over (partition by postal_code order by distance_m asc, venue_id asc) as distance_rank
    from nearby
    where distance_m <= {{ radius }}
)

select
    ranked.postal_code,
    ranked.venue_id,
    ranked.venue_name,
    case
        when regexp_full_match(ranked.category_name, '[a-z0-9_; ]+')
            then coalesce(
                    tag_categories.category,
                    {{ readable_category("trim(split_part(ranked.category_name, ';', 1))") }}
                )
        else ranked.category_name
    end as category_name,
    ranked.latitude,
    ranked.longitude,
    ranked.distance_m,
    ranked.distance_rank as response_position,
    ranked.provider,
    ranked.load_id,
    ranked.loaded_at
from ranked
left join tag_categories on trim(split_part(ranked.category_name, ';', 1)) = tag_categories.tag_value
where ranked.distance_rank <= {{ var('venue_limit') }}
