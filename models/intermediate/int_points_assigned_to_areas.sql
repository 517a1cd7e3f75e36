{%- set radius = var('venue_radius_m') | float %}
{%- set metres_per_degree = var('metres_per_degree') | float %}
with

areas as (
    select
        area_set,
        area_id,
        geometry_kind,
        geometry,
        latitude,
        longitude
    from {{ ref('int_areas_unioned') }}
    where latitude is not null and longitude is not null
),

-- Points files' places and Overture's, each provider ranked on its own below.
places as (
    select
        *,
        st_point(longitude, latitude) as place_point
    from (
        select
            venue_id,
            venue_name,
            category_name,
            null::varchar as category_id,
            latitude,
            longitude,
            provider,
            load_id,
            loaded_at
        from {{ ref('stg_points__places') }}
        where problem is null
        union all
        select
            venue_id,
            venue_name,
            category_name,
            category_id,
            latitude,
            longitude,
            provider,
            load_id,
            loaded_at
        from {{ ref('stg_overture__places') }}
        where problem is null
    ) as usable
),

inside as (
    select
        areas.area_set,
        areas.area_id,
        places.venue_id,
        places.venue_name,
        places.category_name,
        places.category_id,
        places.latitude,
        places.longitude,
        places.provider,
        places.load_id,
        places.loaded_at,
        {{ haversine_m('areas.latitude', 'areas.longitude', 'places.latitude', 'places.longitude') }}
            as distance_m,
        'inside_polygon' as assigned_by
    from (
        select * from areas
        where geometry_kind = 'polygon'
    ) as areas
    inner join places on st_contains(areas.geometry, places.place_point)
),

nearby as (
    select
        areas.area_set,
        areas.area_id,
        places.venue_id,
        places.venue_name,
        places.category_name,
        places.category_id,
        places.latitude,
        places.longitude,
        places.provider,
        places.load_id,
        places.loaded_at,
        {{ haversine_m('areas.latitude', 'areas.longitude', 'places.latitude', 'places.longitude') }}
            as distance_m,
        'within_radius' as assigned_by
    from (
        select * from areas
        where geometry_kind = 'point'
    ) as areas
    inner join places
        on
            places.latitude between areas.latitude - {{ radius / metres_per_degree * 1.01 }}
            and areas.latitude + {{ radius / metres_per_degree * 1.01 }}
            and places.longitude between
            areas.longitude - {{ radius / metres_per_degree * 1.01 }} / cos(radians(areas.latitude))
            and areas.longitude + {{ radius / metres_per_degree * 1.01 }} / cos(radians(areas.latitude))
),

ranked as (
    select
        *,
        row_number() over (
            partition by area_set, area_id, provider order by distance_m asc, venue_id asc
        ) as distance_rank
    from (
        select * from inside
        union all
        select * from nearby
        where distance_m <= {{ radius }}
    ) as assigned
)

select
    ranked.area_set,
    ranked.area_id,
    ranked.venue_id,
    ranked.venue_name,
    case
        when ranked.category_id is null and regexp_full_match(ranked.category_name, '[a-z0-9_; ]+')
            then {{ osm_tag_category("trim(split_part(ranked.category_name, ';', 1))") }}
        else ranked.category_name
    end as category_name,
    ranked.category_id,
    case
        when ranked.category_id is null and regexp_full_match(ranked.category_name, '[a-z0-9_; ]+')
            then trim(split_part(ranked.category_name, ';', 1))
    end as tag_value,
    ranked.latitude,
    ranked.longitude,
    ranked.distance_m,
    ranked.distance_rank as response_position,
    ranked.assigned_by,
    ranked.provider,
    ranked.load_id,
    ranked.loaded_at
from ranked
where ranked.assigned_by = 'inside_polygon' or ranked.distance_rank <= {{ var('venue_limit') }}
